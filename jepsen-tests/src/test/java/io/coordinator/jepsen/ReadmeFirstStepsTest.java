package io.coordinator.jepsen;

import io.coordinator.client.cli.Ctl;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's first steps, read from the README itself so that they cannot drift: every
 * {@code bin/coordinator ctl} line of "Running it", in order, against three real member processes,
 * exits 0. The lines that wait for something else by design (a watch for ten events, a lock around
 * {@code ./backup.sh}, an election or a membership held until Ctrl-C) are named here and left out.
 */
class ReadmeFirstStepsTest {
    /** ctl subcommands of the README's block that do not end on their own. */
    private static final Set<String> WAITING = Set.of("watch", "lock", "elect", "members");

    private Path dataDir;
    private ProcessCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        dataDir = Files.createTempDirectory("readme-first-steps");
        cluster = ProcessCluster.start(dataDir, 3, ProcessCluster.freeBasePort(3));
        new ClusterView(cluster).awaitLeader(Duration.ofSeconds(60));
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        ProcessCluster.deleteRecursively(dataDir);
    }

    /** The {@code bin/coordinator ctl} lines of the first sh block under "## Running it", comments cut. */
    static List<String> ctlLines(String readme) {
        int section = readme.indexOf("\n## Running it");
        assertTrue(section >= 0, "the README has no '## Running it'");
        int open = readme.indexOf("```sh\n", section);
        int close = readme.indexOf("```", open + 6);
        List<String> lines = new ArrayList<>();
        for (String line : readme.substring(open + 6, close).split("\n")) {
            if (line.startsWith("bin/coordinator ctl ")) {
                lines.add(withoutComment(line).strip());
            }
        }
        return lines;
    }

    private static String withoutComment(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** The words a POSIX shell makes of the line: single and double quotes, no expansions (none are used). */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        assertEquals(0, quote, "an unclosed quote in: " + line);
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    @Test
    void theReadmesCtlLinesRunAsWrittenInOrder() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolve("../README.md").normalize());
        List<String> lines = ctlLines(readme);
        assertTrue(lines.size() >= 10, "found only " + lines);
        String endpoints = cluster.memberIds().stream().map(cluster::endpoint).collect(Collectors.joining(","));
        int ran = 0;
        for (String line : lines) {
            List<String> args = new ArrayList<>(words(line).subList(2, words(line).size())); // after "bin/coordinator ctl"
            String sub = args.stream().filter(a -> !a.startsWith("-")).findFirst().orElseThrow();
            if (WAITING.contains(sub)) {
                System.out.println("left out (waits by design): " + line);
                continue;
            }
            args.addAll(0, List.of("--endpoints", endpoints)); // the README exports COORDINATOR_ENDPOINTS instead
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new Ctl()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                    .execute(args.toArray(String[]::new));
            System.out.printf("$ %s%n%s%s(exit %d)%n", line, out, err, exit);
            assertEquals(0, exit, "README line failed: " + line + "\n" + out + err);
            if (line.equals("bin/coordinator ctl get /app/config")) {
                assertEquals("{\"db\":\"primary\"}\n", out.toString(), "what the first line created");
            }
            ran++;
        }
        assertTrue(ran >= 10, "ran only " + ran);
    }

    @Test
    void linesAreSplitAsAShellWould() {
        assertEquals(List.of("bin/coordinator", "ctl", "create", "/app/config", "{\"db\":\"primary\"}", "--parents"),
                words(withoutComment("bin/coordinator ctl create /app/config '{\"db\":\"primary\"}' --parents   # -p: also /app").strip()));
        assertEquals(List.of("ctl", "txn", "--if", "version /app/config = 1"), words("ctl txn --if 'version /app/config = 1'"));
        assertEquals("ctl txn --if 'a # b' ", withoutComment("ctl txn --if 'a # b' # a comment"));
    }
}

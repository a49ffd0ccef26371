package io.coordinator.jepsen.checker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code check} command: its output lines and exit codes, as scripts will rely on them. */
class CheckTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Check()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String file(String name, String terseEvents) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, Histories.jsonLines(terseEvents));
        return path.toString();
    }

    private String valid() throws IOException {
        return file("valid.jsonl", """
                0 invoke write 1 x
                1 invoke read null x
                0 ok write 1 x
                1 ok read 1 x
                """);
    }

    private String invalid() throws IOException {
        return file("invalid.jsonl", """
                0 invoke write 1 x
                0 ok write 1 x
                1 invoke read null x
                1 ok read null x
                """);
    }

    private String unknown() throws IOException {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            events.append(i).append(" invoke write ").append(i).append('\n');
        }
        for (int i = 0; i < 40; i++) {
            events.append(i).append(" ok write ").append(i).append('\n');
        }
        events.append("100 invoke read null\n100 ok read 999\n");
        return file("unknown.jsonl", events.toString());
    }

    private static void assertLine(String expectedStart, String line) {
        assertTrue(line.matches(java.util.regex.Pattern.quote(expectedStart) + " \\(\\d+ ops, \\d+\\.\\d\\d s\\)"), line);
    }

    @Test
    void allValidExitsZeroWithOneLinePerFile() throws IOException {
        String valid = valid();
        Run run = run(valid, valid);
        assertEquals(0, run.code(), run.err());
        assertEquals(2, run.lines().size(), run.out());
        assertLine(valid + ": valid", run.lines().get(0));
        assertTrue(run.lines().get(0).contains("(2 ops, "), run.out());
    }

    @Test
    void anyInvalidExitsOneAndShowsTheOperations() throws IOException {
        String invalid = invalid();
        Run run = run(valid(), invalid);
        assertEquals(1, run.code(), run.err());
        List<String> lines = run.lines();
        assertLine(invalid + ": invalid", lines.get(1));
        assertEquals("  key x: these 2 operations alone are not linearizable:", lines.get(2));
        assertEquals("    line 1-2  process 0  key x  write 1 -> ok", lines.get(3));
        assertEquals("    line 3-4  process 1  key x  read -> ok null", lines.get(4));
        assertEquals(5, lines.size());
    }

    @Test
    void unknownWithoutInvalidExitsThree() throws IOException {
        Run run = run("--time-limit-s", "1", valid(), unknown());
        assertEquals(3, run.code(), run.out() + run.err());
        assertLine(dir.resolve("unknown.jsonl") + ": unknown", run.lines().get(1));
        assertTrue(run.lines().get(2).startsWith("  time limit reached after "), run.out());
        // Invalid wins over unknown.
        assertEquals(1, run("--time-limit-s", "1", unknown(), invalid()).code());
    }

    @Test
    void parseAndUsageErrorsExitTwoNamingFileAndLine() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, """
                {"process": 0, "type": "invoke", "f": "write", "value": 1}
                {"process": 1, "type": "ok", "f": "write", "value": 1}
                """);
        Run run = run(valid(), bad.toString(), invalid());
        assertEquals(2, run.code());
        assertEquals(bad + ":2: a completion (ok) of process 1, which has no invocation outstanding", run.err().strip());
        assertEquals(4 + 1, run.lines().size(), "the other files are still judged: " + run.out());
        Run missing = run(dir.resolve("missing.jsonl").toString());
        assertEquals(2, missing.code());
        assertEquals(dir.resolve("missing.jsonl") + ": no such file", missing.err().strip());
        assertTrue(run("--model", "queue", valid()).err().contains("unknown --model 'queue'; known: register, mutex, set, watch, sessions"));
        assertEquals(2, run("--model", "queue", valid()).code());
        assertEquals(2, run().code());
        assertEquals(2, run("--time-limit-s", "0", valid()).code());
        // A set history is not a register history.
        Run wrongModel = run("--model", "register", file("set.jsonl", "1 invoke add 1\n1 ok add 1\n"));
        assertEquals(2, wrongModel.code());
        assertTrue(wrongModel.err().contains("set.jsonl:1: unknown f \"add\" for the register model"), wrongModel.err());
    }

    @Test
    void jsonPrintsOneObjectPerFile() throws IOException {
        Run run = run("--json", valid(), invalid());
        assertEquals(1, run.code());
        List<String> lines = run.lines();
        assertEquals(2, lines.size(), run.out());
        assertTrue(lines.get(0).matches("\\{\"file\":\".*valid.jsonl\",\"model\":\"register\",\"verdict\":\"valid\",\"ops\":2,"
                + "\"seconds\":[0-9.]+}"), lines.get(0));
        assertTrue(lines.get(1).matches("\\{\"file\":\".*invalid.jsonl\",\"model\":\"register\",\"key\":\"x\",\"counterexample\":\\["
                + "\\{\"process\":0,\"f\":\"write\",\"key\":\"x\",\"value\":1,\"type\":\"ok\",\"invokeLine\":1,\"completeLine\":2},"
                + "\\{\"process\":1,\"f\":\"read\",\"key\":\"x\",\"value\":null,\"type\":\"ok\",\"invokeLine\":3,\"completeLine\":4}],"
                + "\"verdict\":\"invalid\",\"ops\":2,\"seconds\":[0-9.]+}"), lines.get(1));
    }

    @Test
    void setAndMutexModels() throws IOException {
        Run set = run("--model", "set", file("set.jsonl", """
                1 invoke add 1
                1 ok add 1
                2 invoke read null
                2 ok read [2]
                """));
        assertEquals(1, set.code());
        assertEquals(List.of("  lost 1: acknowledged, missing from the read at line 3-4  process 2  read -> ok [2]",
                "  unexpected 2: never (successfully or possibly) added, in the read at line 3-4  process 2  read -> ok [2]"),
                set.lines().subList(1, 3));
        Run mutex = run("--model", "mutex", file("lock.jsonl", """
                1 invoke acquire null
                1 ok acquire 1
                2 invoke acquire null
                2 ok acquire 2
                """));
        assertEquals(1, mutex.code());
        assertEquals("  these 2 operations alone are not linearizable:", mutex.lines().get(1));
    }

    @Test
    void theWatchModelNamesTheRevisionAWatcherSkipped() throws IOException {
        Run watch = run("--model", "watch", file("watch.jsonl", """
                7 invoke watch 0
                7 ok watch 5
                1 invoke write 100 k1
                1 ok write [100,5] k1
                1 invoke write 101 k1
                1 ok write [101,6] k1
                7 invoke event null
                7 ok event [6,["k1","data_changed",101]]
                """));
        assertEquals(1, watch.code(), watch.out());
        assertEquals(List.of("  gap: watcher 7 covers revision 5 (5 to 6) but delivered nothing there, not the acknowledged write of key k1",
                        "      line 3-4  process 1  key k1  write 100 -> ok 5",
                        "      line 7-8  process 7  event -> ok [6, [\"k1\", \"data_changed\", 101]]"),
                watch.lines().subList(1, 4));
    }

    @Test
    void theSessionsModelFindsAnEphemeralThatVanishedWhileItsSessionLived() throws IOException {
        Run sessions = run("--model", "sessions", file("sessions.jsonl", """
                0 invoke create null /harness/sessions/o0-1
                0 ok create 17 /harness/sessions/o0-1
                2 invoke read null
                2 ok read [["/harness/sessions/o0-1",17]]
                2 invoke read null
                2 ok read []
                0 invoke touch null /harness/sessions/o0-1
                0 ok touch 17 /harness/sessions/o0-1
                """));
        assertEquals(1, sessions.code(), sessions.out());
        assertTrue(sessions.lines().get(1).startsWith("  vanished while alive"), sessions.out());
        Run fine = run("--model", "sessions", file("sessions-fine.jsonl", """
                0 invoke create null /harness/sessions/o0-1
                0 ok create 17 /harness/sessions/o0-1
                2 invoke read null
                2 ok read [["/harness/sessions/o0-1",17]]
                0 invoke touch null /harness/sessions/o0-1
                0 ok touch 17 /harness/sessions/o0-1
                """));
        assertEquals(0, fine.code(), fine.out());
    }

    @Test
    void recordedJepsenLogsAreJudgedToo() throws IOException {
        List<String> args = new ArrayList<>(List.of("--format", "jepsen-log"));
        for (String name : List.of("etcd_000.log", "etcd_002.log")) {
            try (InputStream in = CheckTest.class.getResourceAsStream("/jepsen-histories/" + name)) {
                Path path = dir.resolve(name);
                Files.copy(in, path);
                args.add(path.toString());
            }
        }
        Run run = run(args.toArray(String[]::new));
        assertEquals(1, run.code(), run.out());
        assertTrue(run.out().contains("etcd_000.log: invalid ("), run.out());
        assertTrue(run.out().contains("etcd_002.log: valid ("), run.out());
        System.out.print(run.out());
    }
}

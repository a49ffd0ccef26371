package io.coordinator.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.coordinator.client.fake.FakeMember;
import io.coordinator.client.fake.FakeTree;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.protocol.message.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ctl parses its arguments, talks to a member, and prints what a person or a script expects. */
class CtlTest {

    record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        JsonNode json() throws Exception {
            return Codec.json().mapper().readTree(out);
        }
    }

    private FakeMember member;

    @BeforeEach
    void start() {
        member = FakeMember.start(new FakeTree("m1"));
    }

    @AfterEach
    void stop() {
        member.close();
    }

    private Run ctl(String... args) {
        List<String> all = new ArrayList<>(List.of("--endpoints", member.address(), "--timeout-ms", "3000"));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Ctl());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void createWithParentsMakesTheMissingAncestorsAndWithoutItSaysNoNode() {
        Run missing = ctl("create", "/app/config/db", "primary");
        assertEquals(3, missing.exit(), "NO_NODE without --parents: " + missing.err());
        assertEquals(3, ctl("get", "/app").exit(), "nothing was created");

        ctl("create", "/app", "kept");
        Run created = ctl("create", "/app/config/db", "primary", "--parents");
        assertEquals(0, created.exit(), created.err());
        assertEquals("/app/config/db\n", created.out());
        assertEquals("primary\n", ctl("get", "/app/config/db").out());
        assertEquals("kept\n", ctl("get", "/app").out(), "an existing ancestor is left as it is");
        assertEquals("\n", ctl("get", "/app/config").out(), "a made ancestor is empty");

        Run again = ctl("create", "/app/config/db", "x", "-p");
        assertEquals(4, again.exit(), "the node itself existing is still NODE_EXISTS: " + again.err());
    }

    @Test
    void createGetSetStatLsAndDeleteRoundTrip() {
        Run created = ctl("create", "/app", "hello");
        assertEquals(0, created.exit(), created.err());
        assertEquals("/app\n", created.out());

        assertEquals("hello\n", ctl("get", "/app").out());

        Run set = ctl("set", "/app", "world", "--version", "0");
        assertEquals(0, set.exit(), set.err());
        assertTrue(set.out().startsWith("OK version 1"), set.out());
        assertEquals("world\n", ctl("get", "/app").out());

        Run stat = ctl("stat", "/app");
        assertTrue(stat.lines().contains("version         1"), stat.out());
        assertTrue(stat.lines().contains("dataLength      5"), stat.out());

        ctl("create", "/app/b", "2");
        ctl("create", "/app/a", "1");
        assertEquals(List.of("a", "b"), ctl("ls", "/app").lines());
        Run longList = ctl("ls", "-l", "/app");
        assertTrue(longList.lines().get(0).startsWith("VERSION"), longList.out());
        assertTrue(longList.lines().get(1).endsWith("  a"), longList.out());
        assertEquals(3, longList.lines().size());

        Run notEmpty = ctl("delete", "/app");
        assertEquals(Ctl.EXIT_CONFLICT, notEmpty.exit());
        assertTrue(notEmpty.err().startsWith("error: NOT_EMPTY: "), notEmpty.err());

        Run deleted = ctl("delete", "/app", "--recursive");
        assertEquals("deleted 3 nodes\n", deleted.out());
    }

    @Test
    void aFailurePrintsItsCodeToStderrAndExitsWithTheCodesClass() {
        Run missing = ctl("get", "/nope");
        assertEquals(Ctl.EXIT_NOT_FOUND, missing.exit());
        assertEquals("error: NO_NODE: /nope\n", missing.err());
        assertEquals("", missing.out());

        ctl("create", "/v", "x");
        Run badVersion = ctl("set", "/v", "y", "--version", "7");
        assertEquals(Ctl.EXIT_CONFLICT, badVersion.exit());
        assertTrue(badVersion.err().startsWith("error: BAD_VERSION: "), badVersion.err());

        assertEquals(Ctl.EXIT_NOT_FOUND, ctl("stat", "/nope").exit());
        assertEquals(Ctl.exitCode(ErrorCode.TIMEOUT), Ctl.EXIT_UNKNOWN_OUTCOME);
    }

    @Test
    void unreachableMembersExitWithUnavailable() {
        FakeMember gone = FakeMember.start(r -> { });
        String address = gone.address();
        gone.close();
        // A refused port fails every attempt at once; the budget only has to outlast the attempts (300 ms
        // did not on a loaded machine: the call ran out of time between refusals and said TIMEOUT).
        Run run = run("--endpoints", address, "--timeout-ms", "3000", "get", "/a");
        assertEquals(Ctl.EXIT_UNAVAILABLE, run.exit());
        assertTrue(run.err().startsWith("error: UNAVAILABLE: "), run.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(CommandLine.ExitCode.USAGE, ctl("create").exit());
        assertEquals(Ctl.EXIT_USAGE, ctl("create", "/x", "--mode", "nonsense").exit());
        assertEquals(Ctl.EXIT_USAGE, ctl("create", "/x", "--mode", "ttl").exit(), "ttl needs --ttl-ms");
        assertEquals(Ctl.EXIT_USAGE, ctl("txn", "--if", "version /a ~ 1", "--then", "get /a").exit());
        assertEquals(Ctl.EXIT_USAGE, run().exit());
    }

    @Test
    void jsonOutputIsOneDocumentPerCommand() throws Exception {
        JsonNode created = ctl("--json", "create", "/j", "data").json();
        assertEquals("/j", created.get("path").asText());
        assertEquals(0, created.get("stat").get("version").asInt());

        JsonNode got = ctl("--json", "get", "/j").json();
        assertEquals("data", got.get("data").asText());
        assertEquals(4, got.get("stat").get("dataLength").asInt());

        ctl("create", "/j/k", "1");
        JsonNode listed = ctl("--json", "ls", "-l", "/j").json();
        assertEquals("k", listed.get("children").get(0).get("name").asText());
        assertEquals(1, listed.get("children").get(0).get("stat").get("dataLength").asInt());

        JsonNode deleted = ctl("--json", "delete", "-r", "/j").json();
        assertEquals(2, deleted.get("count").asInt());
    }

    @Test
    void sequentialAndTtlModesAndDataFromAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ctl("create", "/q");
        assertEquals("/q/job-0000000000\n", ctl("create", "/q/job-", "--mode", "sequential").out());
        assertEquals("/q/job-0000000001\n", ctl("create", "/q/job-", "--mode", "sequential").out());
        assertEquals(0, ctl("create", "/t", "--mode", "ttl", "--ttl-ms", "5000").exit());

        Path file = dir.resolve("data.txt");
        Files.writeString(file, "from a file", StandardCharsets.UTF_8);
        assertEquals(0, ctl("create", "/f", "--data-file", file.toString()).exit());
        assertEquals("from a file\n", ctl("get", "/f").out());
    }

    @Test
    void txnTakesTheBranchItsComparesChoose() throws Exception {
        ctl("create", "/cfg", "v1");
        Run hit = ctl("txn", "--if", "version /cfg = 0", "--if", "value /cfg = v1",
                "--then", "set /cfg 'v 2' 0", "--then", "create /cfg/h old", "--else", "get /cfg");
        assertEquals(0, hit.exit(), hit.err());
        assertEquals(List.of("SUCCESS", "set /cfg version 1", "created /cfg/h"), hit.lines());
        assertEquals("v 2\n", ctl("get", "/cfg").out());

        Run miss = ctl("txn", "--if", "version /cfg = 0", "--then", "delete /cfg", "--else", "get /cfg",
                "--else", "exists /nope", "--else", "ls /cfg");
        assertEquals(List.of("FAILURE", "/cfg = v 2", "/nope does not exist", "/cfg children: h"), miss.lines());

        JsonNode json = ctl("--json", "txn", "--if", "exists /cfg", "--then", "get /cfg").json();
        assertTrue(json.get("succeeded").asBoolean());
        assertEquals("v 2", json.get("results").get(0).get("data").asText());
    }

    @Test
    void statusAsksEveryEndpointAndShowsTheUnreachableOnes() throws Exception {
        FakeMember gone = FakeMember.start(r -> { });
        String dead = gone.address();
        gone.close();
        String endpoints = member.address() + "," + dead;

        Run table = run("--endpoints", endpoints, "--timeout-ms", "1000", "status");
        assertEquals(Ctl.EXIT_UNAVAILABLE, table.exit(), "not every endpoint answered");
        List<String> lines = table.lines();
        assertEquals(3, lines.size(), table.out());
        assertTrue(lines.get(0).startsWith("ENDPOINT"), lines.get(0));
        assertTrue(lines.get(0).contains("ROLE") && lines.get(0).contains("COMMIT") && lines.get(0).contains("REVISION"));
        assertTrue(lines.get(1).startsWith(member.address()) && lines.get(1).contains("m1") && lines.get(1).contains("LEADER"),
                lines.get(1));
        assertTrue(lines.get(2).startsWith(dead) && lines.get(2).contains("unreachable"), lines.get(2));

        JsonNode json = run("--endpoints", endpoints, "--timeout-ms", "1000", "--json", "status").json();
        assertEquals("m1", json.get(0).get("status").get("memberId").asText());
        assertEquals("UNAVAILABLE", json.get(1).get("error").get("code").asText());

        assertEquals(0, run("--endpoints", member.address(), "status").exit());
    }
}

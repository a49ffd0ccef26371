package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coordinator.jepsen.checker.History;
import io.coordinator.jepsen.checker.LinearizabilityChecker;
import io.coordinator.jepsen.checker.RegisterModel;
import io.coordinator.jepsen.checker.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness command end to end: a short run with every fault against three real member processes
 * leaves a history that the checker, run again on its own, finds linearizable; faults were injected
 * and healed; and the folder holds what the README promises.
 */
class HarnessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Outcome(int exit, String out, String err) {
    }

    private static Outcome harness(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Harness()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = commandLine.execute(args);
        return new Outcome(exit, out.toString(), err.toString());
    }

    @Test
    void aShortRunUnderEveryFaultIsLinearizableAndLeavesItsFiles(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("run");
        long start = System.nanoTime();
        Outcome run = harness("--workload", "register", "--seconds", "12", "--nemesis", "all", "--clients", "4",
                "--seed", "42", "--out", folder.toString());
        System.out.printf("harness run: exit %d in %.1f s%n%s%s", run.exit(), (System.nanoTime() - start) / 1e9, run.out(), run.err());
        assertEquals(0, run.exit(), run.out() + run.err());

        for (String file : List.of("history.jsonl", "timeline.txt", "verdict.json", "m1.log", "m2.log", "m3.log")) {
            assertTrue(Files.size(folder.resolve(file)) > 0, file + " missing or empty");
        }
        assertFalse(Files.exists(folder.resolve("data")), "the members' data is removed, their logs kept");

        History history = History.read(folder.resolve("history.jsonl"), new RegisterModel());
        assertTrue(history.operations().size() > 100, "only " + history.operations().size() + " operations");
        assertEquals(Verdict.VALID, new LinearizabilityChecker<>(new RegisterModel())
                .check(history, Duration.ofSeconds(30), Duration.ofSeconds(5)).verdict());

        // The same history with one stale read appended is caught: a write of 7 (no client writes
        // more than 4) acknowledged, then a read of k0 as it was before anyone wrote it (absent). Not a
        // value seen earlier: a write of it with unknown outcome may land after the 7 and explain it.
        Path doctored = dir.resolve("doctored.jsonl");
        Files.copy(folder.resolve("history.jsonl"), doctored);
        Files.writeString(doctored, String.join("\n",
                "{\"process\": 9999, \"type\": \"invoke\", \"f\": \"write\", \"key\": \"k0\", \"value\": 7}",
                "{\"process\": 9999, \"type\": \"ok\", \"f\": \"write\", \"key\": \"k0\", \"value\": 7}",
                "{\"process\": 9999, \"type\": \"invoke\", \"f\": \"read\", \"key\": \"k0\", \"value\": null}",
                "{\"process\": 9999, \"type\": \"ok\", \"f\": \"read\", \"key\": \"k0\", \"value\": null}", ""),
                java.nio.file.StandardOpenOption.APPEND);
        RunVerdict.Result caught = RunVerdict.check(doctored, Duration.ofSeconds(30));
        assertEquals(Verdict.INVALID, caught.verdict());
        assertEquals("k0", caught.firstInvalid().key());

        List<String> timeline = Files.readAllLines(folder.resolve("timeline.txt"));
        timeline.forEach(line -> System.out.println("  " + line));
        assertTrue(timeline.stream().anyMatch(line -> line.matches("\\s*\\d+\\.\\d{3}s start (partition|kill|pause|clock): .*")), "no fault started");
        assertTrue(timeline.stream().anyMatch(line -> line.matches("\\s*\\d+\\.\\d{3}s heal (partition|kill|pause|clock).*")), "no fault healed");

        JsonNode verdict = JSON.readTree(folder.resolve("verdict.json").toFile());
        assertTrue(verdict.get("valid").asBoolean());
        assertEquals("VALID", verdict.get("verdict").asText());
        assertEquals(history.operations().size(), verdict.get("ops").asInt());
        assertEquals(5, verdict.get("keys").size());
        assertEquals(42, verdict.get("run").get("seed").asLong());
        assertTrue(verdict.get("run").get("replay").asText().contains("--seed 42"));
        assertTrue(verdict.get("run").get("faultsHealed").asInt() >= 1);
        assertTrue(verdict.get("run").get("finalReadsComplete").asBoolean());
        assertTrue(run.out().contains(": valid ("), run.out());
        // Namespaces where this host allows them (bin/test installs iptables), else proxies, saying why.
        String backend = verdict.get("run").get("faultBackend").asText();
        assertEquals(io.coordinator.jepsen.cluster.NetnsNetwork.unavailableReason().isEmpty(),
                backend.equals(io.coordinator.jepsen.cluster.NetnsNetwork.BACKEND), backend);
        assertTrue(backend.equals("netns+iptables") || backend.startsWith("proxy: "), backend);
        assertTrue(run.out().contains("links cut by " + backend), run.out());
    }

    @Test
    void unknownWorkloadsAndNemesesAreUsageErrorsThatSayWhatExists(@TempDir Path dir) {
        Outcome workload = harness("--workload", "nosuch", "--out", dir.toString());
        assertEquals(2, workload.exit());
        assertTrue(workload.err().contains("unknown --workload 'nosuch'; known: lock, register, sessions, set, watch, all"), workload.err());

        Outcome nemesis = harness("--workload", "register", "--nemesis", "partition,flood", "--out", dir.toString());
        assertEquals(2, nemesis.exit());
        assertTrue(nemesis.err().contains("unknown nemesis 'flood'; known: partition, kill, pause, clock, all, none"), nemesis.err());

        assertEquals(2, harness("--workload", "register", "--seconds", "0", "--out", dir.toString()).exit());
        assertEquals(2, harness("--workload", "register", "--reads", "stale", "--out", dir.toString()).exit());
    }

    @Test
    void aRunFolderThatCannotBeMadeIsAFailedRunNotAVerdict(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "a file, not a folder");
        Outcome run = harness("--workload", "register", "--nemesis", "none", "--seconds", "1", "--out", file.toString());
        assertEquals(Harness.RUN_FAILED, run.exit(), run.out() + run.err());
    }
}

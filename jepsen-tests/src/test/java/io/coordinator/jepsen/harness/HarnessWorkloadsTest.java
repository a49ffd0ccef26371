package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The set and lock workloads end to end, one short run each under every fault against three real member
 * processes: the run is valid (exit 0), and its folder holds the history, timeline, verdict and logs.
 */
class HarnessWorkloadsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode run(Path folder, String workload) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        int exit = new CommandLine(new Harness()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--workload", workload, "--seconds", "10", "--nemesis", "all", "--clients", "4", "--seed", "7",
                        "--out", folder.toString());
        System.out.printf("harness %s: exit %d in %.1f s%n%s%s", workload, exit, (System.nanoTime() - start) / 1e9, out, err);
        assertEquals(0, exit, out + "" + err);
        for (String file : List.of("history.jsonl", "timeline.txt", "verdict.json", "m1.log", "m2.log", "m3.log")) {
            assertTrue(Files.size(folder.resolve(file)) > 0, file + " missing or empty");
        }
        JsonNode verdict = JSON.readTree(folder.resolve("verdict.json").toFile());
        System.out.println(verdict.get("details"));
        assertTrue(verdict.get("valid").asBoolean());
        assertEquals("VALID", verdict.get("verdict").asText());
        assertEquals(workload, verdict.get("run").get("workload").asText());
        return verdict;
    }

    @Test
    void aSetRunUnderEveryFaultLosesNothingAcknowledgedAndInventsNothing(@TempDir Path dir) throws Exception {
        JsonNode verdict = run(dir.resolve("set"), "set");
        JsonNode details = verdict.get("details");
        assertTrue(details.get("adds").get("ok").asLong() > 50, details.toString());
        assertEquals(4, details.get("readsOk").asInt(), "one final read per client");
        assertEquals(0, details.get("lostCount").asInt());
        assertEquals(0, details.get("unexpectedCount").asInt());
        assertTrue(verdict.get("run").get("finalReadsComplete").asBoolean());
    }

    @Test
    void aLockRunUnderEveryFaultNeverHasTwoHoldersAndTheResourceNeverInterleaves(@TempDir Path dir) throws Exception {
        JsonNode verdict = run(dir.resolve("lock"), "lock");
        assertEquals(2, verdict.get("keys").size());
        assertEquals("VALID", verdict.get("keys").get(1).get("verdict").asText());
        JsonNode details = verdict.get("details");
        assertTrue(details.get("grants").asLong() > 10, details.toString());
        assertTrue(details.get("counts").get("fenced write ok").asLong() > 10, details.toString());
        assertEquals(0, details.get("resourceViolations").size());
        // One grant in 8 is abandoned (its holder's session closed while it holds); its late fenced
        // write must be refused: the fence working, not a failure.
        assertTrue(details.get("counts").get("grant abandoned").asLong() >= 1, details.toString());
        assertTrue(details.get("counts").get("fenced write refused").asLong() >= 1, details.toString());
    }
}

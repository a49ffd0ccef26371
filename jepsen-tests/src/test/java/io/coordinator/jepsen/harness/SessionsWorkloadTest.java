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
 * The sessions workload end to end under every fault against three real member processes: no ephemeral
 * vanished while its session was alive, none outlived it, none was invented; and sessions did end, both
 * closed on purpose and expired by the faults.
 */
class SessionsWorkloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void underEveryFaultEphemeralsVanishOnlyWithTheirSessions(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("sessions");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        int exit = new CommandLine(new Harness()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--workload", "sessions", "--seconds", "10", "--nemesis", "all", "--clients", "4", "--seed", "7",
                        "--out", folder.toString());
        System.out.printf("harness sessions: exit %d in %.1f s%n%s%s", exit, (System.nanoTime() - start) / 1e9, out, err);
        assertEquals(0, exit, out + "" + err);
        for (String file : List.of("history.jsonl", "timeline.txt", "verdict.json", "m1.log", "m2.log", "m3.log")) {
            assertTrue(Files.size(folder.resolve(file)) > 0, file + " missing or empty");
        }
        JsonNode verdict = JSON.readTree(folder.resolve("verdict.json").toFile());
        JsonNode details = verdict.get("details");
        System.out.println(details);
        assertEquals("VALID", verdict.get("verdict").asText());
        assertEquals("sessions", verdict.get("run").get("workload").asText());
        assertTrue(verdict.get("run").get("finalReadsComplete").asBoolean());
        assertTrue(details.get("createsOk").asInt() >= 4, details.toString());
        assertTrue(details.get("touchesOk").asInt() > 20, details.toString());
        assertTrue(details.get("readsOk").asInt() > 20, details.toString());
        assertEquals(0, details.get("violationCount").asInt());
        // Owners close on purpose about every 4 s, and each close is checked: sessions are seen to end.
        assertTrue(details.get("sessionsEnded").asInt() >= 1, details.toString());
    }
}

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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --workload all}: every workload at once on one cluster under one schedule, each judged in its own
 * sub-folder, the top-level verdict valid only when every checker's is; and it is not when one is not.
 */
class AllWorkloadsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyWorkloadRunsAtOnceAndEachCheckerJudgesItsOwnHistory(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("all");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        int exit = new CommandLine(new Harness()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--workload", "all", "--seconds", "12", "--nemesis", "all", "--clients", "2", "--seed", "5",
                        "--out", folder.toString());
        System.out.printf("harness all: exit %d in %.1f s%n%s%s", exit, (System.nanoTime() - start) / 1e9, out, err);
        assertEquals(0, exit, out + "" + err);
        JsonNode verdict = JSON.readTree(folder.resolve("verdict.json").toFile());
        assertTrue(verdict.get("valid").asBoolean());
        List<String> checkers = new ArrayList<>();
        verdict.get("checkers").fieldNames().forEachRemaining(checkers::add);
        assertEquals(Workloads.names("coordinator"), checkers);
        for (String name : checkers) {
            assertEquals("VALID", verdict.get("checkers").get(name).get("verdict").asText(), name);
            assertTrue(verdict.get("checkers").get(name).get("ops").asInt() > 0, name + " recorded nothing");
            for (String file : List.of("history.jsonl", "verdict.json", "report.html", "timeline.txt")) {
                assertTrue(Files.size(folder.resolve(name).resolve(file)) > 0, name + "/" + file + " missing or empty");
            }
            JsonNode own = JSON.readTree(folder.resolve(name).resolve("verdict.json").toFile());
            assertEquals(name, own.get("run").get("workload").asText());
        }
        for (String file : List.of("timeline.txt", "report.html", "m1.log", "m2.log", "m3.log")) {
            assertTrue(Files.size(folder.resolve(file)) > 0, file + " missing or empty");
        }
        assertFalse(Files.exists(folder.resolve("data")), "member data removed");
        String index = Files.readString(folder.resolve("report.html"));
        for (String name : checkers) {
            assertTrue(index.contains("href=\"" + name + "/report.html\""), "the index links " + name);
        }

        // The same run's register history with a stale read appended: the register checker says invalid,
        // and so would the run (the top-level verdict is the worst of the checkers').
        Path register = folder.resolve("register").resolve("history.jsonl");
        Files.writeString(register, String.join("\n",
                "{\"process\": 900, \"type\": \"invoke\", \"f\": \"write\", \"key\": \"k0\", \"value\": 77}",
                "{\"process\": 900, \"type\": \"ok\", \"f\": \"write\", \"key\": \"k0\", \"value\": 77}",
                "{\"process\": 901, \"type\": \"invoke\", \"f\": \"read\", \"key\": \"k0\", \"value\": null}",
                "{\"process\": 901, \"type\": \"ok\", \"f\": \"read\", \"key\": \"k0\", \"value\": 78}", ""),
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(io.coordinator.jepsen.checker.Verdict.INVALID,
                RunVerdict.check(register, java.time.Duration.ofSeconds(30)).verdict());
    }
}

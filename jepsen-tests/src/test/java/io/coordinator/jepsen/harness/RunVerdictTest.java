package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coordinator.jepsen.checker.Verdict;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** verdict.json says which keys are linearizable and shows why one is not, with the run's seed and replay command. */
class RunVerdictTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aStaleReadOnOneKeyMakesTheRunInvalidAndOnlyThatKey(@TempDir Path dir) throws Exception {
        Path history = dir.resolve("history.jsonl");
        try (HistoryRecorder recorder = new HistoryRecorder(Files.newBufferedWriter(history, StandardCharsets.UTF_8), System::nanoTime)) {
            recorder.invoke(0, "write", "k0", 1L);
            recorder.complete(0, Type.OK, "write", "k0", 1L);
            recorder.invoke(1, "write", "k1", 2L);
            recorder.complete(1, Type.OK, "write", "k1", 2L);
            recorder.invoke(0, "cas", "k1", List.of(2L, 3L));
            recorder.complete(0, Type.OK, "cas", "k1", List.of(2L, 3L));
            recorder.invoke(1, "read", "k0", null);
            recorder.complete(1, Type.OK, "read", "k0", 1L);
            recorder.invoke(2, "write", "k1", 4L);
            recorder.complete(2, Type.INFO, "write", "k1", 4L);
            recorder.invoke(0, "read", "k1", null);
            recorder.complete(0, Type.OK, "read", "k1", 2L);   // stale: the cas to 3 was acknowledged, 4 may or may not be there
        }
        RunVerdict.Result result = RunVerdict.check(history, Duration.ofSeconds(10));
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(6, result.ops());
        assertEquals(List.of(Verdict.VALID, Verdict.INVALID), result.keys().stream().map(RunVerdict.KeyResult::verdict).toList());

        Map<String, Object> run = new LinkedHashMap<>();
        run.put("seed", 7L);
        run.put("replay", "bin/coordinator harness --workload register --seed 7");
        Path file = dir.resolve("verdict.json");
        RunVerdict.write(file, result, run);
        JsonNode verdict = JSON.readTree(file.toFile());
        assertFalse(verdict.get("valid").asBoolean());
        assertEquals("INVALID", verdict.get("verdict").asText());
        assertEquals("k0", verdict.get("keys").get(0).get("key").asText());
        assertEquals("VALID", verdict.get("keys").get(0).get("verdict").asText());
        assertEquals("INVALID", verdict.get("keys").get(1).get("verdict").asText());
        JsonNode counterexample = verdict.get("counterexample");
        assertEquals("k1", counterexample.get("key").asText());
        JsonNode ops = counterexample.get("operations");
        JsonNode last = ops.get(ops.size() - 1);
        assertEquals("read", last.get("f").asText());
        assertEquals(2, last.get("output").asLong());
        assertEquals(12, last.get("completeLine").asLong());
        assertTrue(counterexample.get("text").get(0).asText().startsWith("line "), counterexample.toString());
        assertEquals(7, verdict.get("run").get("seed").asLong());

        List<String> lines = RunVerdict.describe(result);
        lines.forEach(System.out::println);
        assertTrue(lines.get(0).startsWith("invalid (6 ops, 2 keys, check "), lines.get(0));
        assertTrue(lines.get(1).startsWith("  key k1: these "), lines.get(1));
    }

    @Test
    void aKeyTooHardForTheTimeLimitIsUnknownNotValid(@TempDir Path dir) throws Exception {
        // 40 concurrent writes and a read of a value none of them wrote: 2^40 orders to rule out.
        Path history = dir.resolve("history.jsonl");
        try (HistoryRecorder recorder = new HistoryRecorder(Files.newBufferedWriter(history, StandardCharsets.UTF_8), System::nanoTime)) {
            recorder.invoke(99, "read", "easy", null);
            recorder.complete(99, Type.OK, "read", "easy", null);
            for (long p = 0; p < 40; p++) {
                recorder.invoke(p, "write", "hard", p);
            }
            for (long p = 0; p < 40; p++) {
                recorder.complete(p, Type.OK, "write", "hard", p);
            }
            recorder.invoke(100, "read", "hard", null);
            recorder.complete(100, Type.OK, "read", "hard", 999L);
        }
        RunVerdict.Result result = RunVerdict.check(history, Duration.ofMillis(200));
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertEquals(List.of(Verdict.VALID, Verdict.UNKNOWN), result.keys().stream().map(RunVerdict.KeyResult::verdict).toList());
        Path file = dir.resolve("verdict.json");
        RunVerdict.write(file, result, Map.of());
        JsonNode verdict = JSON.readTree(file.toFile());
        assertFalse(verdict.get("valid").asBoolean());
        assertEquals("UNKNOWN", verdict.get("verdict").asText());
        assertFalse(verdict.get("keys").get(1).get("reason").asText().isEmpty());
        assertTrue(RunVerdict.describe(result).get(1).startsWith("  unknown: "), RunVerdict.describe(result).toString());
    }

    @Test
    void aCleanHistoryIsValidWithEveryKeyListed(@TempDir Path dir) throws Exception {
        Path history = dir.resolve("history.jsonl");
        try (HistoryRecorder recorder = new HistoryRecorder(Files.newBufferedWriter(history, StandardCharsets.UTF_8), System::nanoTime)) {
            recorder.invoke(0, "read", "k0", null);
            recorder.complete(0, Type.OK, "read", "k0", null);
            recorder.invoke(0, "cas", "k1", List.of(0L, 1L));
            recorder.complete(0, Type.FAIL, "cas", "k1", List.of(0L, 1L));
        }
        RunVerdict.Result result = RunVerdict.check(history, Duration.ofSeconds(10));
        assertEquals(Verdict.VALID, result.verdict());
        Path file = dir.resolve("verdict.json");
        RunVerdict.write(file, result, Map.of());
        JsonNode verdict = JSON.readTree(file.toFile());
        assertTrue(verdict.get("valid").asBoolean());
        assertEquals(2, verdict.get("keys").size());
        assertFalse(verdict.has("counterexample"));
    }

    /** A rule checker's violation (here the sessions checker's) is the counterexample the verdict and the report show. */
    @Test
    void aSessionsViolationIsTheCounterexampleTheReportOutlines(@TempDir Path dir) throws Exception {
        Path history = dir.resolve("history.jsonl");
        try (HistoryRecorder recorder = new HistoryRecorder(Files.newBufferedWriter(history, StandardCharsets.UTF_8), System::nanoTime)) {
            recorder.invoke(0, "create", "/harness/sessions/o0-1", null);
            recorder.complete(0, Type.OK, "create", "/harness/sessions/o0-1", 17L);
            recorder.invoke(1, "read", null, null);
            recorder.complete(1, Type.OK, "read", null, List.of());                      // gone ...
            recorder.invoke(0, "touch", "/harness/sessions/o0-1", null);
            recorder.complete(0, Type.OK, "touch", "/harness/sessions/o0-1", 17L);       // ... while its session lived
        }
        RunVerdict.Result result = new SessionsWorkload(List.of(io.coordinator.client.Endpoint.parse("127.0.0.1:1")), 2, 1L,
                new HistoryRecorder(java.io.Writer.nullWriter(), System::nanoTime)).judge(history, Duration.ofSeconds(10));
        assertEquals(Verdict.INVALID, result.verdict());
        RunVerdict.write(dir.resolve("verdict.json"), result, Map.of("workload", "sessions"));
        JsonNode counterexample = JSON.readTree(dir.resolve("verdict.json").toFile()).get("counterexample");
        assertTrue(counterexample.get("shows").asText().startsWith("vanished while alive"), counterexample.toString());
        assertEquals(3, counterexample.get("operations").size(), counterexample.toString());
        assertTrue(RunVerdict.describe(result).get(1).contains("operations show: vanished while alive"), RunVerdict.describe(result).toString());
        String report = Files.readString(HtmlReport.write(dir));
        assertTrue(report.contains("operations that show vanished while alive"), "the report names the rule");
        assertEquals(3, report.split("class=\"ok ce\"", -1).length - 1, "the three operations outlined");
    }
}

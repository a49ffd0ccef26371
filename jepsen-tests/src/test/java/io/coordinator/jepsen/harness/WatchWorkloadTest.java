package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coordinator.jepsen.checker.History;
import io.coordinator.jepsen.checker.Verdict;
import io.coordinator.jepsen.checker.WatchChecker;
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
 * The watch workload end to end under every fault against three real member processes: the run is
 * valid, every watcher heard events, and {@code history.jsonl} alone judges the same again. To keep the
 * run folder or try other schedules: {@code -Dwatch-workload-test.out=DIR}, {@code .seed=S},
 * {@code .seconds=N}, {@code .nemesis=FAULTS}.
 */
class WatchWorkloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void watchersOnEveryMemberHearTheSameEventsInOrderWithNoGapUnderEveryFault(@TempDir Path dir) throws Exception {
        Path folder = Path.of(System.getProperty("watch-workload-test.out", dir.resolve("watch").toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        int exit = new CommandLine(new Harness()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--workload", "watch", "--seconds", System.getProperty("watch-workload-test.seconds", "10"),
                        "--nemesis", System.getProperty("watch-workload-test.nemesis", "all"), "--clients", "4",
                        "--seed", System.getProperty("watch-workload-test.seed", "7"),
                        "--out", folder.toString());
        System.out.printf("harness watch: exit %d in %.1f s%n%s%s", exit, (System.nanoTime() - start) / 1e9, out, err);
        assertEquals(0, exit, out + "" + err);
        for (String file : List.of("history.jsonl", "timeline.txt", "verdict.json", "m1.log", "m2.log", "m3.log")) {
            assertTrue(Files.size(folder.resolve(file)) > 0, file + " missing or empty");
        }
        JsonNode verdict = JSON.readTree(folder.resolve("verdict.json").toFile());
        JsonNode details = verdict.get("details");
        System.out.println(details);
        assertEquals("VALID", verdict.get("verdict").asText());
        assertTrue(verdict.get("run").get("finalReadsComplete").asBoolean(), "every watcher caught up");
        assertTrue(details.get("writes").get("write ok").asLong() > 50, details.toString());
        JsonNode watchers = details.get("watchers");
        assertEquals(4, watchers.size(), "one per member and the late one: " + watchers);
        long highest = details.get("highestAcknowledgedRevision").asLong();
        for (JsonNode watcher : watchers) {
            assertTrue(watcher.get("events").asLong() > 50, watcher.toString());
            if (watcher.get("endedBy").isNull()) {
                assertTrue(watcher.get("last").asLong() >= highest, watcher.toString());
            }
        }
        for (JsonNode watcher : watchers) {
            assertEquals(details.get("startRevision").asLong(), watcher.get("from").asLong(),
                    "all from the common start, the late one replaying it: " + watcher);
        }

        WatchChecker checker = new WatchChecker();
        assertEquals(Verdict.VALID, checker.check(History.read(folder.resolve("history.jsonl"), checker)).verdict(),
                "history.jsonl alone is enough to judge");
    }
}

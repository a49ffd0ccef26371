package io.coordinator.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.coordinator.client.fake.FakeMember;
import io.coordinator.client.fake.FakeTree;
import io.coordinator.client.fake.FakeWatches;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ctl watch}: one line (or JSON document) per event, and it always ends. */
class WatchCommandTest {
    private static final Stat STAT = new Stat(1, 1, 0, 0, 0, 1, 0, 0, 0);

    record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private FakeWatches watches;
    private FakeMember member;

    @BeforeEach
    void start() {
        watches = new FakeWatches(new FakeTree("m1"));
        member = FakeMember.start(watches);
        watches.apply(1, new WatchEvent(WatchEvent.Type.CREATED, "/app", 1, STAT, "v1".getBytes(StandardCharsets.UTF_8)),
                new WatchEvent(WatchEvent.Type.CHILDREN_CHANGED, "/", 1, STAT, null));
        watches.apply(2, new WatchEvent(WatchEvent.Type.DATA_CHANGED, "/app", 2, STAT, "v2".getBytes(StandardCharsets.UTF_8)));
        watches.apply(3, new WatchEvent(WatchEvent.Type.CREATED, "/app/x", 3, STAT, null),
                new WatchEvent(WatchEvent.Type.CHILDREN_CHANGED, "/app", 3, STAT, null));
    }

    @AfterEach
    void stop() {
        member.close();
    }

    private Run ctl(String... args) {
        List<String> all = new ArrayList<>(List.of("--endpoints", member.address(), "--timeout-ms", "3000"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Ctl());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aRecursiveWatchFromARevisionPrintsOneLinePerEventAndStopsAtTheCount() {
        Run run = ctl("watch", "/app", "--recursive", "--from-revision", "1", "--count", "3", "--timeout-ms", "5000");
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("1 CREATED /app v1", "2 DATA_CHANGED /app v2", "3 CREATED /app/x"), run.lines());
    }

    @Test
    void withJsonEachEventIsOneDocument() throws Exception {
        Run run = ctl("--json", "watch", "/app", "--from-revision", "2", "--count", "1", "--timeout-ms", "5000");
        assertEquals(0, run.exit(), run.err());
        JsonNode doc = Codec.json().mapper().readTree(run.lines().get(0));
        assertEquals(2, doc.get("revision").asLong());
        assertEquals("DATA_CHANGED", doc.get("type").asText());
        assertEquals("v2", doc.get("data").asText());
        assertEquals(1, run.lines().size());
    }

    @Test
    void liveEventsArePrintedAndAOneShotEndsTheCommandWhenItFires() throws Exception {
        CompletableFuture<Run> running = CompletableFuture.supplyAsync(() ->
                ctl("watch", "/app", "--kind", "data", "--timeout-ms", "10000"));
        await().atMost(Duration.ofSeconds(10)).until(() -> watches.liveCount() == 1);
        watches.apply(4, new WatchEvent(WatchEvent.Type.DATA_CHANGED, "/app", 4, STAT, "v3".getBytes(StandardCharsets.UTF_8)));
        Run run = running.get(10, TimeUnit.SECONDS);
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("4 DATA_CHANGED /app v3"), run.lines());
    }

    @Test
    void fewerEventsThanTheCountWithinTheTimeoutExitsSeven() {
        Run run = ctl("watch", "/app", "--count", "5", "--timeout-ms", "300");
        assertEquals(Ctl.EXIT_UNKNOWN_OUTCOME, run.exit());
        assertTrue(run.err().contains("TIMEOUT: 0 of 5 events"), run.err());
    }

    @Test
    void aRevisionOlderThanTheHistoryExitsFourWithTheOldestRevision() {
        watches.compactBelow(3);
        Run run = ctl("watch", "/app", "--from-revision", "1", "--timeout-ms", "1000");
        assertEquals(Ctl.EXIT_CONFLICT, run.exit());
        assertTrue(run.err().startsWith("error: COMPACTED: "), run.err());
        assertTrue(run.err().contains("oldest revision available: 3"), run.err());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertEquals(Ctl.EXIT_USAGE, ctl("watch", "/app", "--recursive", "--kind", "data").exit());
        assertEquals(Ctl.EXIT_USAGE, ctl("watch", "/app", "--kind", "sometimes").exit());
    }
}

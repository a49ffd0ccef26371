package io.coordinator.server.watch;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static io.coordinator.core.api.WatchEvent.Type.CHILDREN_CHANGED;
import static io.coordinator.core.api.WatchEvent.Type.CREATED;
import static io.coordinator.core.api.WatchEvent.Type.DATA_CHANGED;
import static io.coordinator.core.api.WatchEvent.Type.DELETED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The member's watch hub on its own: history, matching, ordering and limits, fed event by event. */
class WatchHubTest {
    private static final WatchHub.Settings SETTINGS = new WatchHub.Settings(1000, 1L << 30, 100, 60_000, 1 << 20, 4096);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final RecordingOutput out = new RecordingOutput();
    private long nextRevision = 1;

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private WatchHub hub(WatchHub.Settings settings) {
        WatchHub hub = new WatchHub("m1", settings, timer);
        hub.ready();
        return hub;
    }

    private static WatchEvent event(WatchEvent.Type type, String path, long revision) {
        return new WatchEvent(type, path, revision, null, null);
    }

    /** Applies the next revision, made of these (type, path) pairs. */
    private long apply(WatchHub hub, Object... typeAndPath) {
        long revision = nextRevision++;
        List<WatchEvent> events = new ArrayList<>();
        for (int i = 0; i < typeAndPath.length; i += 2) {
            events.add(event((WatchEvent.Type) typeAndPath[i], (String) typeAndPath[i + 1], revision));
        }
        hub.accept(events);
        return revision;
    }

    private static ClientMessage.Watch watch(String path, WatchKind kind, long from) {
        return new ClientMessage.Watch(path, kind, from);
    }

    private static List<Long> revisions(List<ServerMessage.WatchNotification> notifications) {
        return notifications.stream().map(ServerMessage.WatchNotification::revision).toList();
    }

    @Test
    void aRecursiveWatchSeesEveryRevisionOfItsSubtreeInOrderEachRevisionInOneNotification() {
        WatchHub hub = hub(SETTINGS);
        hub.watch(out, 7, watch("/a", WatchKind.PERSISTENT_RECURSIVE, 0));
        assertEquals(new ServerMessage.WatchStarted(7, 1, 0), out.answer(7));
        apply(hub, CREATED, "/a", CHILDREN_CHANGED, "/");
        apply(hub, CREATED, "/ab", CHILDREN_CHANGED, "/");
        apply(hub, CREATED, "/a/x", CHILDREN_CHANGED, "/a");
        apply(hub, DATA_CHANGED, "/a/x");
        apply(hub, DELETED, "/a/x", CHILDREN_CHANGED, "/a", DELETED, "/a", CHILDREN_CHANGED, "/");

        List<ServerMessage.WatchNotification> seen = out.notifications(7);
        assertEquals(List.of(1L, 3L, 4L, 5L), revisions(seen));
        assertEquals(List.of("/a"), seen.get(0).events().stream().map(WatchEvent::path).toList());
        assertEquals(List.of("/a/x", "/a"), seen.get(1).events().stream().map(WatchEvent::path).toList());
        assertEquals(List.of("/a/x", "/a", "/a"), seen.get(3).events().stream().map(WatchEvent::path).toList());
        assertTrue(seen.stream().noneMatch(ServerMessage.WatchNotification::continued));
    }

    @Test
    void aWatchFromAPastRevisionReplaysTheHistoryThenGoesLiveWithoutGapOrDuplicate() {
        WatchHub hub = hub(SETTINGS);
        for (int i = 0; i < 10; i++) {
            apply(hub, DATA_CHANGED, "/k");
        }
        hub.watch(out, 1, watch("/k", WatchKind.PERSISTENT, 4));
        assertEquals(new ServerMessage.WatchStarted(1, 4, 10), out.answer(1));
        apply(hub, DATA_CHANGED, "/k");
        apply(hub, DATA_CHANGED, "/other");
        apply(hub, DATA_CHANGED, "/k");
        assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 13L), revisions(out.notifications(1)));
        // The answer comes before the first event.
        assertFalse(out.sent().get(0).pushed());
    }

    @Test
    void aWatchOlderThanTheHistoryGetsCompactedWithTheOldestRevisionLeft() {
        WatchHub hub = hub(new WatchHub.Settings(5, 1L << 30, 100, 60_000, 1 << 20, 4096));
        for (int i = 0; i < 10; i++) {
            apply(hub, DATA_CHANGED, "/k");
        }
        assertEquals(6, hub.oldestRevision());
        hub.watch(out, 1, watch("/k", WatchKind.PERSISTENT, 5));
        ServerMessage.WatchFailed failed = assertInstanceOf(ServerMessage.WatchFailed.class, out.answer(1));
        assertEquals(ErrorCode.COMPACTED, failed.code());
        assertEquals(6, failed.oldestRevision());
        assertEquals(10, failed.revision());
        assertEquals(0, hub.watchesActive());
        hub.watch(out, 2, watch("/k", WatchKind.PERSISTENT, 6));
        assertEquals(List.of(6L, 7L, 8L, 9L, 10L), revisions(out.notifications(2)));
    }

    @Test
    void theHistoryDropsWholeRevisionsAndKeepsTheNewestEvenWhenItAloneIsOverTheBound() {
        WatchHub hub = hub(new WatchHub.Settings(4, 1L << 30, 100, 60_000, 1 << 20, 4096));
        apply(hub, CREATED, "/a", CHILDREN_CHANGED, "/");
        apply(hub, CREATED, "/b", CHILDREN_CHANGED, "/");
        assertEquals(1, hub.oldestRevision());
        apply(hub, CREATED, "/c", CHILDREN_CHANGED, "/");
        assertEquals(2, hub.oldestRevision());
        assertEquals(4, hub.historyEvents());
        apply(hub, DELETED, "/a", DELETED, "/b", DELETED, "/c", CHILDREN_CHANGED, "/", DATA_CHANGED, "/d");
        assertEquals(4, hub.oldestRevision());
        assertEquals(5, hub.historyEvents());
        hub.watch(out, 1, watch("/", WatchKind.PERSISTENT_RECURSIVE, 4));
        assertEquals(5, out.notifications(1).get(0).events().size());
    }

    @Test
    void aOneShotDataWatchFiresOnceAndIsGone() {
        WatchHub hub = hub(SETTINGS);
        hub.watch(out, 1, watch("/a", WatchKind.DATA, 0));
        apply(hub, CREATED, "/a", CHILDREN_CHANGED, "/");
        apply(hub, CREATED, "/a/x", CHILDREN_CHANGED, "/a");
        apply(hub, DATA_CHANGED, "/a");
        apply(hub, DATA_CHANGED, "/a");
        apply(hub, DELETED, "/a");
        List<ServerMessage.WatchNotification> seen = out.notifications(1);
        assertEquals(List.of(3L), revisions(seen));
        assertEquals(DATA_CHANGED, seen.get(0).events().get(0).type());
        assertEquals(0, hub.watchesActive());
    }

    @Test
    void oneShotKindsFireOnTheirOwnEventsOnly() {
        WatchHub hub = hub(SETTINGS);
        hub.watch(out, 1, watch("/a", WatchKind.EXISTS, 0));
        hub.watch(out, 2, watch("/a", WatchKind.CHILDREN, 0));
        hub.watch(out, 3, watch("/a", WatchKind.DATA, 0));
        apply(hub, CREATED, "/a", CHILDREN_CHANGED, "/");
        apply(hub, CREATED, "/a/x", CHILDREN_CHANGED, "/a");
        apply(hub, DELETED, "/a/x", CHILDREN_CHANGED, "/a", DELETED, "/a", CHILDREN_CHANGED, "/");
        assertEquals(List.of(1L), revisions(out.notifications(1)));
        assertEquals(List.of(2L), revisions(out.notifications(2)));
        assertEquals(List.of(3L), revisions(out.notifications(3)));
        assertEquals(List.of(DELETED), out.notifications(3).get(0).events().stream().map(WatchEvent::type).toList());
    }

    @Test
    void aOneShotWatchSetByAReadAtRevisionRFiresFromTheHistoryForAChangeAtRPlusOne() {
        WatchHub hub = hub(SETTINGS);
        long read = apply(hub, CREATED, "/a", CHILDREN_CHANGED, "/");
        long changed = apply(hub, DATA_CHANGED, "/a");
        // The watch arrives after the change: the read saw revision `read`, so it watches from read + 1.
        hub.watch(out, 1, watch("/a", WatchKind.DATA, read + 1));
        assertEquals(List.of(changed), revisions(out.notifications(1)));
        apply(hub, DATA_CHANGED, "/a");
        assertEquals(1, out.notifications(1).size());
    }

    @Test
    void aRecursiveWatchMatchesItsSubtreeOnlyNotSiblingsWithTheSamePrefix() {
        WatchHub hub = hub(SETTINGS);
        hub.watch(out, 1, watch("/app", WatchKind.PERSISTENT_RECURSIVE, 0));
        hub.watch(out, 2, watch("/app", WatchKind.PERSISTENT, 0));
        apply(hub, CREATED, "/apple");
        apply(hub, CREATED, "/app/deep/er");
        apply(hub, DATA_CHANGED, "/app");
        apply(hub, DATA_CHANGED, "/");
        assertEquals(List.of(2L, 3L), revisions(out.notifications(1)));
        assertEquals(List.of(3L), revisions(out.notifications(2)));
    }

    @Test
    void pastTheWatchLimitOfAConnectionAWatchGetsTooLargeAndNothingIsRegistered() {
        WatchHub hub = hub(new WatchHub.Settings(100, 1L << 30, 2, 60_000, 1 << 20, 4096));
        hub.watch(out, 1, watch("/a", WatchKind.PERSISTENT, 0));
        hub.watch(out, 2, watch("/b", WatchKind.PERSISTENT, 0));
        hub.watch(out, 3, watch("/c", WatchKind.PERSISTENT, 0));
        assertEquals(ErrorCode.TOO_LARGE, ((ServerMessage.WatchFailed) out.answer(3)).code());
        assertEquals(2, hub.watchesActive());
        apply(hub, CREATED, "/c");
        assertTrue(out.notifications(3).isEmpty());
        // Another connection has its own allowance.
        RecordingOutput other = new RecordingOutput();
        hub.watch(other, 3, watch("/c", WatchKind.PERSISTENT, 0));
        assertInstanceOf(ServerMessage.WatchStarted.class, other.answer(3));
        // A finished watch frees its place.
        hub.unwatch(out, 10, 1);
        assertEquals(new ServerMessage.Unwatched(1, true), out.answer(10));
        hub.watch(out, 4, watch("/c", WatchKind.PERSISTENT, 0));
        assertInstanceOf(ServerMessage.WatchStarted.class, out.answer(4));
    }

    @Test
    void badRequestsAreRefusedWithTypedErrors() {
        WatchHub hub = hub(SETTINGS);
        hub.watch(out, 1, watch("relative", WatchKind.PERSISTENT, 0));
        hub.watch(out, 2, watch("/a", WatchKind.PERSISTENT, -1));
        hub.watch(out, 3, watch("/a", WatchKind.PERSISTENT, 0));
        hub.watch(out, 3, watch("/b", WatchKind.PERSISTENT, 0));
        assertEquals(ErrorCode.INVALID_PATH, ((ServerMessage.WatchFailed) out.answer(1)).code());
        assertEquals(ErrorCode.BAD_ARGUMENTS, ((ServerMessage.WatchFailed) out.answer(2)).code());
        assertEquals(ErrorCode.BAD_ARGUMENTS, ((ServerMessage.WatchFailed) out.sent().get(3).message()).code());
        assertEquals(1, hub.watchesActive());
    }

    @Test
    void aMemberThatIsStillStartingRefusesWatchesAsUnavailable() {
        WatchHub hub = new WatchHub("m1", SETTINGS, timer);
        hub.watch(out, 1, watch("/a", WatchKind.PERSISTENT, 0));
        assertEquals(ErrorCode.UNAVAILABLE, ((ServerMessage.WatchFailed) out.answer(1)).code());
    }

    @Test
    void aWatchFromTheFutureStartsOnceTheMemberGetsThere() {
        WatchHub hub = hub(SETTINGS);
        apply(hub, DATA_CHANGED, "/k");
        hub.watch(out, 1, watch("/k", WatchKind.PERSISTENT, 4));
        assertNull(out.answer(1));
        apply(hub, DATA_CHANGED, "/k");
        assertNull(out.answer(1));
        apply(hub, DATA_CHANGED, "/k");
        assertEquals(new ServerMessage.WatchStarted(1, 4, 3), out.answer(1));
        apply(hub, DATA_CHANGED, "/k");
        assertEquals(List.of(4L), revisions(out.notifications(1)));
    }

    @Test
    void aWatchFromTheFutureThatTheMemberDoesNotReachInTimeFailsWithBadArguments() {
        WatchHub hub = hub(new WatchHub.Settings(100, 1L << 30, 100, 50, 1 << 20, 4096));
        hub.watch(out, 1, watch("/k", WatchKind.PERSISTENT, 100));
        await().atMost(Duration.ofSeconds(5)).until(() -> out.answer(1) != null);
        ServerMessage.WatchFailed failed = (ServerMessage.WatchFailed) out.answer(1);
        assertEquals(ErrorCode.BAD_ARGUMENTS, failed.code());
        assertTrue(failed.message().contains("revision from the future"), failed.message());
        assertEquals(0, hub.watchesActive());
    }

    @Test
    void aSnapshotInstallEndsLiveWatchesWithCompactedAndRestartsTheHistoryAfterIt() {
        WatchHub hub = hub(SETTINGS);
        apply(hub, DATA_CHANGED, "/k");
        hub.watch(out, 1, watch("/k", WatchKind.PERSISTENT, 0));
        hub.restart(50);
        ServerMessage.WatchFailed ended = (ServerMessage.WatchFailed) out.sent().get(1).message();
        assertTrue(out.sent().get(1).pushed());
        assertEquals(ErrorCode.COMPACTED, ended.code());
        assertEquals(51, ended.oldestRevision());
        assertEquals(51, hub.oldestRevision());
        assertEquals(0, hub.historyEvents());
        hub.watch(out, 2, watch("/k", WatchKind.PERSISTENT, 0));
        assertEquals(new ServerMessage.WatchStarted(2, 51, 50), out.answer(2));
        nextRevision = 51;
        apply(hub, DATA_CHANGED, "/k");
        assertEquals(List.of(51L), revisions(out.notifications(2)));
        assertTrue(out.notifications(1).isEmpty());
    }

    @Test
    void unwatchAndDisconnectStopDelivery() {
        WatchHub hub = hub(SETTINGS);
        hub.watch(out, 1, watch("/k", WatchKind.PERSISTENT, 0));
        RecordingOutput other = new RecordingOutput();
        hub.watch(other, 1, watch("/k", WatchKind.PERSISTENT, 0));
        apply(hub, DATA_CHANGED, "/k");
        hub.unwatch(out, 2, 1);
        hub.disconnected(other);
        apply(hub, DATA_CHANGED, "/k");
        assertEquals(List.of(1L), revisions(out.notifications(1)));
        assertEquals(List.of(1L), revisions(other.notifications(1)));
        assertEquals(0, hub.watchesActive());
        hub.unwatch(out, 3, 1);
        assertEquals(new ServerMessage.Unwatched(1, false), out.answer(3));
    }

    @Test
    void aRevisionTooBigForOneFrameIsSplitOverFramesMarkedContinued() {
        WatchHub hub = hub(new WatchHub.Settings(100, 1L << 30, 100, 60_000, 3000, 4096));
        long revision = nextRevision++;
        List<WatchEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(new WatchEvent(CREATED, "/big/" + i, revision, null, new byte[1000]));
        }
        hub.watch(out, 1, watch("/big", WatchKind.PERSISTENT_RECURSIVE, 0));
        hub.accept(events);
        List<ServerMessage.WatchNotification> seen = out.notifications(1);
        assertTrue(seen.size() > 1);
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(revision, seen.get(i).revision());
            assertEquals(i < seen.size() - 1, seen.get(i).continued());
        }
        assertEquals(5, seen.stream().mapToInt(n -> n.events().size()).sum());
    }

    @Test
    void aJumpInRevisionsEndsTheWatchesThatWouldMissEventsWithCompacted() {
        WatchHub hub = hub(SETTINGS);
        apply(hub, DATA_CHANGED, "/k");
        hub.watch(out, 1, watch("/k", WatchKind.PERSISTENT, 0));
        nextRevision = 5;
        apply(hub, DATA_CHANGED, "/k");
        assertEquals(ErrorCode.COMPACTED, ((ServerMessage.WatchFailed) out.sent().get(1).message()).code());
        assertTrue(out.notifications(1).isEmpty());
        assertEquals(5, hub.oldestRevision());
    }

    @Test
    void countersCountWatchesAndEvents() {
        WatchHub hub = hub(SETTINGS);
        hub.watch(out, 1, watch("/", WatchKind.PERSISTENT_RECURSIVE, 0));
        apply(hub, CREATED, "/a", CHILDREN_CHANGED, "/");
        apply(hub, DATA_CHANGED, "/a");
        assertEquals(1, hub.watchesStarted());
        assertEquals(2, hub.notificationsSent());
        assertEquals(3, hub.eventsSent());
    }

    /**
     * Differential: random revisions over a few paths, and watches of every kind registered at random
     * moments from random revisions; each watch must get exactly what a naive filter of all events
     * says, or COMPACTED exactly when its revision is older than a naive bounded history.
     */
    @Test
    void everyWatchGetsExactlyWhatANaiveFilterOfAllEventsSays() {
        String[] paths = {"/", "/a", "/a/b", "/a/b/c", "/ab", "/b", "/b/c"};
        WatchEvent.Type[] types = WatchEvent.Type.values();
        WatchKind[] kinds = WatchKind.values();
        for (int seed = 0; seed < 300; seed++) {
            Random random = new Random(seed);
            int historyMax = 5 + random.nextInt(40);
            WatchHub hub = hub(new WatchHub.Settings(historyMax, 1L << 30, 1000, 60_000, 1 << 20, 4096));
            RecordingOutput output = new RecordingOutput();
            List<List<WatchEvent>> all = new ArrayList<>();
            List<long[]> watches = new ArrayList<>(); // id, kind, path index, from, expectCompacted
            long revision = 0;
            int events = 0;
            long oldest = 1;
            for (int step = 0; step < 150; step++) {
                if (random.nextInt(4) == 0) {
                    long id = watches.size() + 1;
                    int kind = random.nextInt(kinds.length);
                    int path = random.nextInt(paths.length);
                    long from = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt((int) revision + 1);
                    long effective = from == 0 ? revision + 1 : from;
                    hub.watch(output, id, watch(paths[path], kinds[kind], from));
                    watches.add(new long[]{id, kind, path, effective, effective < oldest ? 1 : 0});
                } else {
                    revision++;
                    List<WatchEvent> group = new ArrayList<>();
                    int n = 1 + random.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        group.add(event(types[random.nextInt(types.length)], paths[random.nextInt(paths.length)], revision));
                    }
                    all.add(group);
                    hub.accept(group);
                    events += n;
                    // Naive bounded history: drop the oldest whole revisions, never the newest.
                    while (events > historyMax && oldest < revision) {
                        events -= all.get((int) oldest - 1).size();
                        oldest++;
                    }
                }
            }
            for (long[] w : watches) {
                long id = w[0];
                WatchKind kind = kinds[(int) w[1]];
                String path = paths[(int) w[2]];
                if (w[4] == 1) {
                    assertEquals(ErrorCode.COMPACTED, ((ServerMessage.WatchFailed) output.answer(id)).code(), "seed " + seed);
                    continue;
                }
                List<ServerMessage.WatchNotification> expected = new ArrayList<>();
                for (long rev = w[3]; rev <= revision; rev++) {
                    List<WatchEvent> matching = all.get((int) rev - 1).stream().filter(e -> kind.matches(path, e)).toList();
                    if (!matching.isEmpty()) {
                        expected.add(new ServerMessage.WatchNotification(id, rev, matching, false));
                        if (kind.oneShot()) {
                            break;
                        }
                    }
                }
                assertEquals(expected, output.notifications(id), "seed " + seed + " watch " + id + " " + kind + " " + path);
            }
        }
    }
}

package io.coordinator.client;

import io.coordinator.client.support.IsolatedCluster;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchCompactedException;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.client.watch.Watched;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.WatchKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real client against real members (see {@link IsolatedCluster}): a watch follows the client
 * from member to member without losing or repeating a revision, an event comes before the answer
 * of a later write, one-shots fire once, and a revision older than the history is COMPACTED.
 */
class WatchAcrossMembersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private Thread writer;

    @AfterEach
    void cleanup() throws Exception {
        writing.set(false);
        if (writer != null) {
            writer.join(20_000);
        }
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }

    private Coordinator client(String endpoints, boolean session) {
        return keep(Coordinator.connect(ClientConfig.builder().endpoints(endpoints).shuffleEndpoints(false)
                .openSession(session).requestTimeoutMillis(15_000).attemptTimeoutMillis(5_000).build()));
    }

    /** Waits until a write through {@code endpoints} succeeds (the cluster has a leader). */
    private Coordinator ready(String endpoints) {
        Coordinator client = client(endpoints, false);
        await().atMost(WAIT).ignoreExceptions().until(() -> client.exists("/").isPresent());
        return client;
    }

    static final class Recorder implements WatchListener {
        final List<WatchEvents> events = new CopyOnWriteArrayList<>();
        final List<CoordinatorException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onEvents(WatchEvents e) {
            events.add(e);
        }

        @Override
        public void onError(CoordinatorException error) {
            errors.add(error);
        }

        List<Long> revisions() {
            return events.stream().map(WatchEvents::revision).toList();
        }

        long last() {
            return events.isEmpty() ? 0 : events.get(events.size() - 1).revision();
        }
    }

    @Test
    void aRecursiveWatchResumesOnAnotherMemberWhenItsMemberStopsAndMissesOrRepeatsNothing() throws Exception {
        IsolatedCluster cluster = keep(IsolatedCluster.start(3, Map.of()));
        // The watcher starts on m1 (endpoints in order); the writer never talks to m1.
        Coordinator watcher = ready(cluster.endpoints());
        Coordinator writes = client(cluster.endpoint(1) + "," + cluster.endpoint(2), true);
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            try {
                writes.create("/w", new byte[0], CreateMode.PERSISTENT);
            } catch (CoordinatorException.NodeExistsException e) {
                // an earlier attempt made it
            }
            return true;
        });

        Recorder heard = new Recorder();
        Watch watch = watcher.watch("/w", WatchKind.PERSISTENT_RECURSIVE, heard);
        Set<Long> acked = new ConcurrentSkipListSet<>();
        writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                try {
                    String path = "/w/k" + (i % 10);
                    long revision = i < 10 ? writes.create(path, bytes(i), CreateMode.PERSISTENT).revision()
                            : writes.set(path, bytes(i)).modRevision();
                    acked.add(revision);
                } catch (CoordinatorException e) {
                    // failover in progress: the next write will go through
                }
            }
        }, "writer");
        writer.start();

        await().atMost(WAIT).until(() -> heard.events.size() >= 40);
        cluster.stop(0);
        int ackedAtStop = acked.size();
        await().atMost(WAIT).until(() -> acked.size() >= ackedAtStop + 60);
        writing.set(false);
        writer.join(20_000);
        long lastAcked = acked.stream().mapToLong(Long::longValue).max().orElseThrow();
        await().atMost(WAIT).until(() -> heard.last() >= lastAcked);

        List<Long> revisions = heard.revisions();
        for (int i = 1; i < revisions.size(); i++) {
            assertTrue(revisions.get(i) > revisions.get(i - 1), "out of order or repeated at " + i + ": " + revisions);
        }
        long first = revisions.get(0);
        for (long revision : acked) {
            assertTrue(revision < first || revisions.contains(revision), "acknowledged revision " + revision + " never came");
        }
        assertTrue(heard.errors.isEmpty(), heard.errors.toString());
        assertTrue(watch.isActive());
        assertFalse(watcher.status().self().memberId().equals("m1"), "the watcher should have moved off m1");

        // Nothing missed in between either: a fresh replay of the same range on a surviving member agrees.
        Recorder replay = new Recorder();
        Coordinator checker = client(cluster.endpoint(2), false);
        checker.watch("/w", WatchKind.PERSISTENT_RECURSIVE, first, replay);
        await().atMost(WAIT).until(() -> replay.last() >= revisions.get(revisions.size() - 1));
        assertEquals(revisions, replay.revisions().subList(0, revisions.size()));
    }

    @Test
    void onEveryMemberAWritesEventReachesTheWatchBeforeTheWriteReturnsAndOneShotsFireOnce() throws Exception {
        IsolatedCluster cluster = keep(IsolatedCluster.start(3, Map.of()));
        ready(cluster.endpoints());
        for (int m = 0; m < 3; m++) {
            Coordinator client = client(cluster.endpoint(m), true);
            String path = "/e" + m;
            client.create(path, bytes(0), CreateMode.PERSISTENT);
            Recorder heard = new Recorder();
            Watch watch = client.watch(path, WatchKind.PERSISTENT, heard);
            for (int i = 1; i <= 20; i++) {
                Stat stat = client.set(path, bytes(i));
                assertTrue(watch.lastRevision() >= stat.modRevision(),
                        "member " + m + ": set returned revision " + stat.modRevision() + " before its event");
            }

            Recorder once = new Recorder();
            Watched<GetResult> got = client.getAndWatch(path, once);
            long changed = client.set(path, bytes(100)).modRevision();
            client.set(path, bytes(101));
            await().atMost(WAIT).until(() -> once.events.size() == 1);
            assertEquals(List.of(changed), once.revisions());
            assertEquals(WatchEvent.Type.DATA_CHANGED, once.events.get(0).events().get(0).type());
            assertFalse(got.watch().isActive());
        }
    }

    @Test
    void aWatchFromARevisionOlderThanATinyHistoryIsCompactedWithTheOldestRevisionLeft() throws Exception {
        IsolatedCluster cluster = keep(IsolatedCluster.start(1, Map.of("limits.watch-history-events-max", "5")));
        Coordinator client = ready(cluster.endpoints());
        long first = client.create("/c", bytes(0), CreateMode.PERSISTENT).revision();
        long last = first;
        for (int i = 1; i <= 10; i++) {
            last = client.set("/c", bytes(i)).modRevision();
        }
        WatchCompactedException e = assertThrows(WatchCompactedException.class,
                () -> client.watch("/c", WatchKind.PERSISTENT, first, new Recorder()));
        assertEquals(last - 4, e.oldestRevision());

        Recorder heard = new Recorder();
        client.watch("/c", WatchKind.PERSISTENT, e.oldestRevision(), heard);
        long expectedLast = last;
        await().atMost(WAIT).until(() -> heard.last() == expectedLast);
        assertEquals(5, heard.events.size());
    }

    private static byte[] bytes(int i) {
        return Integer.toString(i).getBytes(StandardCharsets.UTF_8);
    }
}

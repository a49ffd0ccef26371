package io.coordinator.jepsen;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.Endpoint;
import io.coordinator.client.SessionState;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Stat;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;
import io.coordinator.protocol.message.WatchKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill -9 the member a client is connected to: the session survives, its ephemerals stay, and a
 * recursive watch resumed on another member delivers every revision after the last one it saw, in
 * order, with no duplicate.
 */
class SessionFailoverTest {
    private static final int WRITES = 200;
    private static final int KILL_AFTER = 60;

    private Path dataDir;
    private ProcessCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        dataDir = Files.createTempDirectory("session-failover-test");
        cluster = ProcessCluster.start(dataDir, 3, ProcessCluster.freeBasePort(3));
        new ClusterView(cluster).awaitLeader(Duration.ofSeconds(60));
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        ProcessCluster.deleteRecursively(dataDir);
    }

    @Test
    void aSessionAndItsRecursiveWatchRideThroughTheSigkillOfTheirMember() {
        // The watcher's first endpoint is m1, the one that dies; the writer never talks to m1.
        List<Endpoint> watcherEndpoints = new ArrayList<>();
        for (String id : List.of("m1", "m2", "m3")) {
            watcherEndpoints.add(Endpoint.parse(cluster.endpoint(id)));
        }
        ClientConfig watcherConfig = ClientConfig.builder().endpoints(watcherEndpoints).shuffleEndpoints(false)
                .sessionTtlMillis(10_000).requestTimeoutMillis(30_000).build();
        ClientConfig writerConfig = ClientConfig.builder()
                .endpoints(cluster.endpoint("m2") + "," + cluster.endpoint("m3"))
                .requestTimeoutMillis(30_000).build();
        List<Long> delivered = new CopyOnWriteArrayList<>();
        List<SessionState> states = new CopyOnWriteArrayList<>();
        List<Long> acknowledged = new ArrayList<>();
        try (Coordinator writer = Coordinator.connect(writerConfig);
             Coordinator watcher = Coordinator.connect(watcherConfig)) {
            watcher.addStateListener(states::add);
            long sessionId = watcher.session().orElseThrow().sessionId();
            writer.create("/w", new byte[0], CreateMode.PERSISTENT);
            watcher.create("/eph", new byte[0], CreateMode.PERSISTENT);
            watcher.create("/eph/owned", bytes("mine"), CreateMode.EPHEMERAL);
            long start = watcher.exists("/w").orElseThrow().createRevision() + 1;
            WatchListener listener = (WatchEvents events) -> delivered.add(events.revision());
            try (Watch watch = watcher.watch("/w", WatchKind.PERSISTENT_RECURSIVE, start, listener)) {
                for (int i = 0; i < WRITES; i++) {
                    if (i == KILL_AFTER) {
                        cluster.kill("m1");
                    }
                    acknowledged.add(writer.create("/w/n" + i, bytes("v" + i), CreateMode.PERSISTENT).revision());
                }
                long last = acknowledged.get(acknowledged.size() - 1);
                await().atMost(Duration.ofSeconds(30)).until(() -> watch.lastRevision() >= last);
                await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() >= acknowledged.size());
                assertTrue(watch.isActive());
            }
            assertEquals(acknowledged, List.copyOf(delivered),
                    "the watch must deliver exactly the writes' revisions, in order, each once");

            assertEquals(Optional.of(sessionId), watcher.session().map(s -> s.sessionId()),
                    "the session moved to another member; it was not replaced");
            assertFalse(states.contains(SessionState.LOST), "states seen: " + states);
            Stat owned = writer.exists("/eph/owned").orElseThrow();
            assertEquals(sessionId, owned.ephemeralOwner());
            watcher.set("/eph/owned", bytes("still mine"));
        }
        try (Coordinator after = Coordinator.connect(writerConfig)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> after.exists("/eph/owned").isEmpty());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.coordinator.jepsen.cluster;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Members in network namespaces, cut with iptables: a leader cut off from the other two loses the
 * cluster to a new leader and refuses writes, and after the run nothing of it is left on the host.
 * Needs root and iptables (bin/test installs it); skipped, saying why, where they are missing.
 */
class NetnsPartitionTest {
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);

    private static void assumeNamespaces() {
        String why = NetnsNetwork.unavailableReason().orElse(null);
        assumeTrue(why == null, "network namespaces unavailable here (" + why + "); the proxy tests cover partitions");
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void anIsolatedLeaderLosesTheClusterAndRefusesWritesAndTheRunLeavesNothingBehind() throws Exception {
        assumeNamespaces();
        Path dataDir = Files.createTempDirectory("netns-partition-test");
        ProcessCluster cluster = null;
        NetnsNetwork network = null;
        try {
            cluster = ProcessCluster.startPartitionable(dataDir, 3);
            assertEquals(NetnsNetwork.BACKEND, cluster.faultBackend());
            network = cluster.network().orElseThrow();
            for (String id : cluster.memberIds()) {
                assertTrue(cluster.endpoint(id).startsWith("10.213."), "member " + id + " listens on " + cluster.endpoint(id));
            }
            ClusterView view = new ClusterView(cluster);
            String leader = view.awaitLeader(LEADER_TIMEOUT).self().memberId();

            try (Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(cluster.endpoints())
                    .requestTimeoutMillis(30_000).build())) {
                client.create("/netns", bytes("before"), CreateMode.PERSISTENT);
                assertEquals("before", client.get("/netns").dataUtf8());
            }

            cluster.faults().isolate(leader);
            Set<String> majority = new TreeSet<>(cluster.memberIds());
            majority.remove(leader);
            String newLeader = view.awaitLeaderAmong(majority, LEADER_TIMEOUT).self().memberId();
            assertNotEquals(leader, newLeader);
            try (Coordinator isolated = Coordinator.connect(ClientConfig.builder().endpoints(cluster.endpoint(leader))
                    .openSession(false).retryAttemptsMax(1).connectTimeoutMillis(2_000)
                    .attemptTimeoutMillis(15_000).requestTimeoutMillis(16_000).build())) {
                CoordinatorException refused = assertThrows(CoordinatorException.class,
                        () -> isolated.set("/netns", bytes("from the minority"), -1));
                System.out.println("[netns] the isolated old leader " + leader + " answered a write with " + refused.code());
            }
            try (Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(endpointsOf(cluster, majority))
                    .requestTimeoutMillis(30_000).build())) {
                client.set("/netns", bytes("majority"), -1);
            }

            cluster.faults().heal();
            long revision;
            try (Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(cluster.endpoints())
                    .requestTimeoutMillis(30_000).build())) {
                revision = client.set("/netns", bytes("after"), -1).modRevision();
            }
            view.awaitRevision(leader, revision, LEADER_TIMEOUT);
            cluster.faults().timeline().forEach(e -> System.out.println("[netns] " + e));
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            ProcessCluster.deleteRecursively(dataDir);
        }
        assertEquals(List.of(), network.remains(), "namespaces or links of run " + network.runId() + " left behind");
        assertTrue(Files.notExists(NetnsNetwork.STATE_DIR.resolve(network.runId())), "state file left behind");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDeadRunsNamespacesAndProcessesAreRemovedByTheNextRun() throws Exception {
        assumeNamespaces();
        Path stateDir = Files.createTempDirectory("netns-leftovers-test");
        NetnsNetwork leftover = NetnsNetwork.create(List.of("m1", "m2"), stateDir);
        Process sleeper = null;
        try {
            // A process inside the namespace, as a member orphaned by a SIGKILLed run would be.
            sleeper = new ProcessBuilder(leftover.inNamespace("m1", List.of("sleep", "300"))).start();
            Process dead = new ProcessBuilder("true").start();
            dead.waitFor(10, TimeUnit.SECONDS);
            Path state = stateDir.resolve(leftover.runId());
            List<String> lines = new ArrayList<>(Files.readAllLines(state));
            lines.set(0, "owner " + dead.pid() + " 0");
            Files.write(state, lines);
            assertEquals(5, leftover.remains().size(), "2 namespaces, a bridge, 2 veths: " + leftover.remains());

            assertEquals(List.of(leftover.runId()), NetnsNetwork.cleanupLeftovers(stateDir));

            assertEquals(List.of(), leftover.remains());
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "the process in the namespace was killed");
            assertTrue(Files.notExists(state));
        } finally {
            if (sleeper != null) {
                sleeper.destroyForcibly();
            }
            leftover.close();
            ProcessCluster.deleteRecursively(stateDir);
        }
    }

    private static String endpointsOf(ProcessCluster cluster, Set<String> ids) {
        return String.join(",", ids.stream().map(cluster::endpoint).toList());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.coordinator.client.recipes;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.support.CuttableProxy;
import io.coordinator.client.support.IsolatedCluster;
import io.coordinator.client.watch.Watch;
import io.coordinator.core.api.CreateMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Followers of a recipe (an election's observer, a group's listener) cut off for longer than their
 * member's watch history (5 events here) get COMPACTED when they come back; they read the state
 * again and follow on, rather than stopping.
 */
class FollowersAfterCompactionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static String value(Optional<Leader> leader) {
        return leader.map(l -> new String(l.value(), StandardCharsets.UTF_8)).orElse("-");
    }

    @Test
    void anObserverBackFromALongCutHearsTheCurrentLeader() throws Exception {
        try (IsolatedCluster cluster = IsolatedCluster.start(1, Map.of("limits.watch-history-events-max", "5"));
             Coordinator admin = connect(cluster.endpoints());
             CuttableProxy proxy = new CuttableProxy(cluster.endpoint(0));
             Coordinator observerClient = connect(proxy.endpoint())) {
            await().atMost(WAIT).ignoreExceptions().until(() -> admin.exists("/").isPresent());
            String path = "/election/compacted";
            List<String> seen = new CopyOnWriteArrayList<>();
            try (Watch observing = new LeaderElection(observerClient, path).observe(l -> seen.add(value(l)))) {
                Leadership a = new LeaderElection(admin, path).campaign("a".getBytes(StandardCharsets.UTF_8));
                await().atMost(WAIT).until(() -> seen.contains("a"));

                proxy.cut();
                a.resign();
                Leadership b = new LeaderElection(admin, path).campaign("b".getBytes(StandardCharsets.UTF_8));
                admin.create("/filler", new byte[0], CreateMode.PERSISTENT);
                for (int i = 0; i < 10; i++) {
                    admin.set("/filler", new byte[]{(byte) i}, -1);
                }
                proxy.heal();
                await().atMost(WAIT).until(() -> seen.get(seen.size() - 1).equals("b"));
                b.proclaim("b2".getBytes(StandardCharsets.UTF_8));
                await().atMost(WAIT).until(() -> seen.get(seen.size() - 1).equals("b2"));
                assertEquals("-", seen.get(0));
                b.resign();
            }
        }
    }

    @Test
    void aGroupListenerBackFromALongCutHearsTheCurrentMembers() throws Exception {
        try (IsolatedCluster cluster = IsolatedCluster.start(1, Map.of("limits.watch-history-events-max", "5"));
             Coordinator admin = connect(cluster.endpoints());
             CuttableProxy proxy = new CuttableProxy(cluster.endpoint(0));
             Coordinator listenerClient = connect(proxy.endpoint())) {
            await().atMost(WAIT).ignoreExceptions().until(() -> admin.exists("/").isPresent());
            String path = "/groups/compacted";
            List<GroupView> views = new CopyOnWriteArrayList<>();
            try (Subscription listening = new GroupMembership(listenerClient, path).listen(views::add)) {
                GroupMember a = new GroupMembership(admin, path).join("a", new byte[0]);
                await().atMost(WAIT).until(() -> views.get(views.size() - 1).members().containsKey("a"));

                proxy.cut();
                a.leave();
                GroupMember b = new GroupMembership(admin, path).join("b", new byte[0]);
                admin.create("/filler", new byte[0], CreateMode.PERSISTENT);
                for (int i = 0; i < 10; i++) {
                    admin.set("/filler", new byte[]{(byte) i}, -1);
                }
                proxy.heal();
                await().atMost(WAIT).until(() -> views.get(views.size() - 1).members().keySet().equals(java.util.Set.of("b")));
                b.leave();
                await().atMost(WAIT).until(() -> views.get(views.size() - 1).members().isEmpty());
            }
        }
    }

    private static Coordinator connect(String endpoints) {
        return Coordinator.connect(ClientConfig.builder().endpoints(endpoints).shuffleEndpoints(false)
                .requestTimeoutMillis(15_000).attemptTimeoutMillis(5_000).build());
    }
}

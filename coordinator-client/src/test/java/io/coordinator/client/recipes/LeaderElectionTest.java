package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.support.CuttableProxy;
import io.coordinator.client.watch.Watch;
import io.coordinator.core.api.CreateMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.recipes.RecipeCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LeaderElection} on three real members in this JVM; each test has an election of its own. */
class LeaderElectionTest extends RecipeTestBase {

    private static String value(Optional<Leader> leader) {
        return leader.map(l -> new String(l.value(), StandardCharsets.UTF_8)).orElse("-");
    }

    private static int standing(Coordinator client, String path) {
        try {
            return client.children(path).names().size();
        } catch (io.coordinator.client.CoordinatorException.NoNodeException e) {
            return 0;
        }
    }

    private static long leaders(List<CompletableFuture<Leadership>> terms) {
        return terms.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join().isLeader()).count();
    }

    @Test
    void exactlyOneLeaderAtATimeThroughFencedWritesAndHandoverWhenTheLeaderSessionEnds() throws Exception {
        String path = "/election/handover";
        Coordinator admin = cluster.client();
        admin.create("/elected-owner", new byte[0], CreateMode.PERSISTENT);
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch observing = cluster.keep(new LeaderElection(admin, path).observe(l -> seen.add(value(l))));

        List<Coordinator> clients = new ArrayList<>();
        List<CompletableFuture<Leadership>> terms = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            Coordinator client = cluster.client();
            clients.add(client);
            terms.add(new LeaderElection(client, path).campaignAsync(utf8(name)));
            int standing = terms.size();
            await().atMost(WAIT).until(() -> standing(admin, path) == standing);
        }
        Leadership a = terms.get(0).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(1, leaders(terms));
        a.fence().set("/elected-owner", utf8("a"), -1);
        a.proclaim(utf8("a2"));
        await().atMost(WAIT).until(() -> seen.contains("a2"));

        // a's session ends: b, next in line, leads with a larger token; a's fenced write is refused.
        clients.get(0).close();
        Leadership b = terms.get(1).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(b.token() > a.token());
        // Closing the client deletes the node; its watch may hear that before the session is cleared.
        Leadership.Reason ended = a.revoked().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(ended == Leadership.Reason.SESSION_LOST || ended == Leadership.Reason.NODE_DELETED, ended.toString());
        assertEquals(1, leaders(terms));
        assertFalse(terms.get(2).isDone());
        b.fence().set("/elected-owner", utf8("b"), -1);
        assertThrows(FencingException.class, () -> new Fence(admin, a.nodePath(), a.token()).set("/elected-owner", utf8("a-late"), -1));

        // b resigns: c leads; b can no longer proclaim.
        b.resign();
        assertEquals(Leadership.Reason.RESIGNED, b.revoked().join());
        Leadership c = terms.get(2).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(c.token() > b.token());
        assertThrows(FencingException.class, () -> b.proclaim(utf8("b2")));
        assertThrows(FencingException.class, () -> b.fence().set("/elected-owner", utf8("b-late"), -1));
        assertEquals("b", admin.get("/elected-owner").dataUtf8());
        assertEquals(1, leaders(terms));

        await().atMost(WAIT).until(() -> !seen.isEmpty() && seen.get(seen.size() - 1).equals("c"));
        List<String> order = seen.stream().distinct().toList();
        assertEquals(List.of("-", "a", "a2", "b", "c"), order, "observed " + seen);
        assertEquals("c", value(new LeaderElection(admin, path).leader()));
        c.resign();
        assertEquals(Optional.empty(), new LeaderElection(admin, path).leader());
        observing.close();
    }

    @Test
    void aLeaderCutOffIsRevokedAtOnceAndTheNextCandidateTakesOverWhenItsSessionEnds() throws Exception {
        String path = "/election/cut";
        CuttableProxy proxy = cluster.keep(new CuttableProxy(cluster.cluster.endpoint(0)));
        Coordinator cutClient = cluster.client(proxy.endpoint(), 2_000);
        Leadership first = new LeaderElection(cutClient, path).campaign(utf8("first"));
        CompletableFuture<Leadership> second = new LeaderElection(cluster.client(), path).campaignAsync(utf8("second"));
        Coordinator admin = cluster.client();
        await().atMost(WAIT).until(() -> standing(admin, path) == 2);

        long cutAt = System.nanoTime();
        proxy.cut();
        assertEquals(Leadership.Reason.SUSPENDED, first.revoked().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        long revokedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
        assertTrue(revokedMillis < 1_000, "revoked " + revokedMillis + " ms after the cut");
        assertFalse(first.isLeader());
        Leadership next = second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(next.token() > first.token());
        proxy.heal();
        assertThrows(FencingException.class, () -> first.proclaim(utf8("late")));
        assertEquals("second", value(new LeaderElection(admin, path).leader()));
        next.resign();
    }

    @Test
    void aShortCutWithinTheGraceKeepsTheTerm() throws Exception {
        String path = "/election/blip";
        CuttableProxy proxy = cluster.keep(new CuttableProxy(cluster.cluster.endpoint(0)));
        Coordinator client = cluster.client(proxy.endpoint(), 15_000);
        List<io.coordinator.client.SessionState> states = new CopyOnWriteArrayList<>();
        client.addStateListener(states::add);
        assertThrows(IllegalArgumentException.class, () -> new LeaderElection(client, path, Duration.ofSeconds(5)));
        Leadership term = new LeaderElection(client, path, Duration.ofMillis(4_500)).campaign(utf8("steady"));

        proxy.cut();
        await().atMost(WAIT).until(() -> states.contains(io.coordinator.client.SessionState.SUSPENDED));
        proxy.heal();
        await().atMost(WAIT).until(() -> states.contains(io.coordinator.client.SessionState.RECONNECTED));
        // Past the grace, counted from the cut: still the leader.
        long healed = System.nanoTime();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() - healed > TimeUnit.MILLISECONDS.toNanos(5_000));
        assertTrue(term.isLeader(), term.toString());
        term.proclaim(utf8("still"));
        term.resign();
    }

    @Test
    void cancellingAnAsyncCampaignWithdrawsTheCandidacy() throws Exception {
        String path = "/election/withdraw";
        Coordinator admin = cluster.client();
        Leadership leader = new LeaderElection(cluster.client(), path).campaign(utf8("leader"));
        CompletableFuture<Leadership> waiting = new LeaderElection(cluster.client(), path).campaignAsync(utf8("quitter"));
        await().atMost(WAIT).until(() -> standing(admin, path) == 2);
        waiting.cancel(true);
        assertThrows(CancellationException.class, waiting::join);
        await().atMost(WAIT).until(() -> standing(admin, path) == 1);
        assertTrue(leader.isLeader());
        leader.resign();
        await().atMost(WAIT).until(() -> admin.exists(path).isEmpty());
    }
}

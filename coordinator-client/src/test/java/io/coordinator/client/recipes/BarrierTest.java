package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.support.CuttableProxy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static io.coordinator.client.recipes.RecipeCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DistributedBarrier} and {@link DistributedDoubleBarrier} on three real members in this JVM,
 * participants on three clients; each test has a path of its own.
 */
class BarrierTest extends RecipeTestBase {

    private static int participantsIn(Coordinator client, String path) {
        try {
            return DistributedDoubleBarrier.countParticipants(client.children(path).names());
        } catch (CoordinatorException.NoNodeException e) {
            return 0;
        }
    }

    private static List<Coordinator> threeClients() {
        return List.of(cluster.client(), cluster.client(), cluster.client());
    }

    // ---- DistributedBarrier

    @Test
    void waitersOnEveryClientPassOnlyOnceTheBarrierIsRemoved() throws Exception {
        String path = "/barriers/simple/start";
        Coordinator admin = cluster.client();
        DistributedBarrier barrier = new DistributedBarrier(admin, path);
        assertTrue(barrier.set());
        assertFalse(barrier.set(), "already set");
        List<Future<Boolean>> waiters = new ArrayList<>();
        for (Coordinator client : threeClients()) {
            DistributedBarrier mine = new DistributedBarrier(client, path);
            waiters.add(threads.submit(() -> mine.await(WAIT)));
        }
        assertFalse(new DistributedBarrier(admin, path).await(Duration.ofMillis(300)), "still set: times out");
        for (Future<Boolean> waiter : waiters) {
            assertFalse(waiter.isDone());
        }
        assertTrue(barrier.remove());
        for (Future<Boolean> waiter : waiters) {
            assertTrue(waiter.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS));
        }
        assertFalse(barrier.remove(), "not set any more");
        assertFalse(barrier.isSet());
        assertTrue(barrier.await(Duration.ZERO), "a barrier not set does not hold anyone");
    }

    // ---- DistributedDoubleBarrier

    @Test
    void noneEntersBeforeNHaveEnteredAndNoneLeavesBeforeAllHaveLeft() throws Exception {
        String path = "/barriers/double/basic";
        Coordinator admin = cluster.client();
        List<Coordinator> clients = threeClients();
        List<DistributedDoubleBarrier> barriers = clients.stream()
                .map(c -> new DistributedDoubleBarrier(c, path, 3)).toList();

        List<Future<Boolean>> entering = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            DistributedDoubleBarrier b = barriers.get(i);
            entering.add(threads.submit(() -> b.enter(WAIT)));
        }
        await().atMost(WAIT).until(() -> participantsIn(admin, path) == 2);
        assertFalse(entering.get(0).isDone() || entering.get(1).isDone(), "two of three have entered");
        entering.add(threads.submit(() -> barriers.get(2).enter(WAIT)));
        for (Future<Boolean> e : entering) {
            assertTrue(e.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS));
        }

        List<Future<Boolean>> leaving = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            DistributedDoubleBarrier b = barriers.get(i);
            leaving.add(threads.submit(() -> b.leave(WAIT)));
        }
        await().atMost(WAIT).until(() -> participantsIn(admin, path) == 1);
        assertFalse(leaving.get(0).isDone() || leaving.get(1).isDone(), "one is still inside");
        assertTrue(barriers.get(2).leave(WAIT));
        for (Future<Boolean> l : leaving) {
            assertTrue(l.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS));
        }
        assertTrue(admin.exists(path + "/" + DistributedDoubleBarrier.READY).isEmpty(), "the last out closes the round");
        assertThrows(IllegalStateException.class, () -> barriers.get(0).leave(WAIT));
    }

    @Test
    void everyRoundOnOnePathWaitsForAllNBothWays() throws Exception {
        String path = "/barriers/double/rounds";
        int n = 3;
        int rounds = 4;
        AtomicIntegerArray arrived = new AtomicIntegerArray(rounds);
        AtomicIntegerArray departed = new AtomicIntegerArray(rounds);
        List<String> violations = new CopyOnWriteArrayList<>();
        List<Future<?>> workers = new ArrayList<>();
        for (Coordinator client : threeClients()) {
            workers.add(threads.submit(() -> {
                for (int r = 0; r < rounds; r++) {
                    DistributedDoubleBarrier round = new DistributedDoubleBarrier(client, path, n);
                    arrived.incrementAndGet(r);
                    if (!round.enter(WAIT)) {
                        violations.add("round " + r + ": enter timed out");
                        return null;
                    }
                    if (arrived.get(r) != n) {
                        violations.add("round " + r + ": entered with " + arrived.get(r) + " arrived");
                    }
                    departed.incrementAndGet(r);
                    if (!round.leave(WAIT)) {
                        violations.add("round " + r + ": leave timed out");
                        return null;
                    }
                    if (departed.get(r) != n) {
                        violations.add("round " + r + ": left with " + departed.get(r) + " departed");
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(WAIT.toMillis() * rounds * 2, TimeUnit.MILLISECONDS);
        }
        assertEquals(List.of(), violations);
        assertTrue(cluster.client().exists(path + "/" + DistributedDoubleBarrier.READY).isEmpty());
    }

    @Test
    void aParticipantThatGivesUpOnEnteringIsNoLongerCounted() throws Exception {
        String path = "/barriers/double/give-up";
        Coordinator admin = cluster.client();
        DistributedDoubleBarrier quitter = new DistributedDoubleBarrier(cluster.client(), path, 2);
        assertFalse(quitter.enter(Duration.ofMillis(300)));
        assertEquals(0, participantsIn(admin, path));
        // Had the quitter still counted, this one would make two.
        assertFalse(new DistributedDoubleBarrier(cluster.client(), path, 2).enter(Duration.ofMillis(300)));
        assertThrows(IllegalStateException.class, () -> quitter.enter(Duration.ofMillis(1)));
    }

    @Test
    void aParticipantWhoseSessionIsLostCountsAsLeftAndTheRoundStillCloses() throws Exception {
        String path = "/barriers/double/lost";
        Coordinator admin = cluster.client();
        try (CuttableProxy proxy = cluster.keep(new CuttableProxy(cluster.cluster.endpoint(0)))) {
            Coordinator cutClient = cluster.client(proxy.endpoint(), 2_000);
            DistributedDoubleBarrier doomed = new DistributedDoubleBarrier(cutClient, path, 2);
            DistributedDoubleBarrier survivor = new DistributedDoubleBarrier(cluster.client(), path, 2);
            Future<Boolean> entering = threads.submit(() -> doomed.enter(WAIT));
            assertTrue(survivor.enter(WAIT));
            assertTrue(entering.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

            Future<Boolean> leaving = threads.submit(() -> survivor.leave(WAIT));
            await().atMost(WAIT).until(() -> participantsIn(admin, path) == 1);
            assertFalse(leaving.isDone(), "the doomed one is still inside");
            proxy.cut();
            assertTrue(leaving.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS));
            assertTrue(admin.exists(path + "/" + DistributedDoubleBarrier.READY).isEmpty(),
                    "the survivor closes a round the lost one could not");
        }
    }

    @Test
    void waitingToEnterFailsWhenTheSessionIsLost() throws Exception {
        String path = "/barriers/double/lost-entering";
        try (CuttableProxy proxy = cluster.keep(new CuttableProxy(cluster.cluster.endpoint(0)))) {
            Coordinator cutClient = cluster.client(proxy.endpoint(), 2_000);
            DistributedDoubleBarrier waiting = new DistributedDoubleBarrier(cutClient, path, 2);
            Future<Boolean> entering = threads.submit(() -> waiting.enter(WAIT));
            await().atMost(WAIT).until(() -> participantsIn(cluster.client(), path) == 1);
            proxy.cut();
            java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> entering.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS));
            assertTrue(failed.getCause() instanceof LockLostException, failed.getCause().toString());
            // The cluster ends the session on its own clock: the node goes within a TTL or so.
            await().atMost(WAIT).until(() -> participantsIn(cluster.client(), path) == 0);
        }
    }
}

package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.support.CuttableProxy;
import io.coordinator.core.api.CreateMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.coordinator.client.recipes.RecipeCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DistributedSemaphore} on three real members in this JVM; each test has a directory of its own. */
class DistributedSemaphoreTest extends RecipeTestBase {

    private static int queued(Coordinator client, String path) {
        try {
            return client.children(path).names().size();
        } catch (CoordinatorException.NoNodeException e) {
            return 0;
        }
    }

    /**
     * A resource with N slots that checks, atomically with each entry, that no more than N writers
     * are inside; it records the most it ever saw.
     */
    static final class Slots {
        final int limit;
        final Set<Long> inside = ConcurrentHashMap.newKeySet();
        final AtomicInteger most = new AtomicInteger();

        Slots(int limit) {
            this.limit = limit;
        }

        synchronized void enter(long token) {
            if (!inside.add(token)) {
                throw new AssertionError("token " + token + " entered twice");
            }
            most.accumulateAndGet(inside.size(), Math::max);
            if (inside.size() > limit) {
                throw new AssertionError(inside.size() + " writers inside " + inside + ", limit " + limit);
            }
        }

        synchronized void leave(long token) {
            inside.remove(token);
        }
    }

    @Test
    void neverMoreThanNHoldersUnderContentionAndEachHolderCanWriteFenced() throws Exception {
        String path = "/semaphores/contended";
        int permits = 2;
        Coordinator admin = cluster.client();
        admin.create("/semaphore-work", new byte[0], CreateMode.PERSISTENT);
        List<Coordinator> clients = List.of(cluster.client(), cluster.client(), cluster.client());
        Slots slots = new Slots(permits);
        List<Future<Integer>> workers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            Coordinator client = clients.get(w % clients.size());
            DistributedSemaphore semaphore = new DistributedSemaphore(client, path, permits);
            workers.add(threads.submit(() -> {
                int rounds = 0;
                for (int i = 0; i < 4; i++) {
                    Lease permit = semaphore.acquire();
                    slots.enter(permit.token());
                    try {
                        // Work that takes a few round trips, fenced by the permit.
                        permit.fence().set("/semaphore-work", Long.toString(permit.token()).getBytes(StandardCharsets.UTF_8), -1);
                        client.get("/semaphore-work");
                        permit.fence().set("/semaphore-work", new byte[0], -1);
                    } finally {
                        slots.leave(permit.token());
                        semaphore.release(permit);
                    }
                    rounds++;
                }
                return rounds;
            }));
        }
        for (Future<Integer> worker : workers) {
            assertEquals(4, worker.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS));
        }
        assertTrue(slots.most.get() <= permits);
        assertEquals(0, queued(admin, path), "every permit returned");
    }

    @Test
    void nHoldAtOnceTheNextWaitsAndAWaiterBehindOneThatGaveUpIsNotStranded() throws Exception {
        String path = "/semaphores/window";
        Coordinator admin = cluster.client();
        Coordinator client = cluster.client();
        DistributedSemaphore semaphore = new DistributedSemaphore(client, path, 2);
        Lease a = semaphore.acquire();
        Lease b = semaphore.acquire();
        assertTrue(b.token() > a.token());
        assertEquals("2", admin.get(b.nodePath()).dataUtf8(), "the node carries N");
        assertEquals(Optional.empty(), semaphore.tryAcquire(Duration.ofMillis(200)), "both permits taken");

        // Queue: a, b, c (gives up), d. d watches the two just ahead of it: b and c.
        Future<Optional<Lease>> c = threads.submit(() -> new DistributedSemaphore(cluster.client(), path, 2)
                .tryAcquire(Duration.ofSeconds(3)));
        await().atMost(WAIT).until(() -> queued(admin, path) == 3);
        Future<Lease> d = threads.submit(() -> new DistributedSemaphore(cluster.client(), path, 2).acquire());
        await().atMost(WAIT).until(() -> queued(admin, path) == 4);
        assertEquals(Optional.empty(), c.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        await().atMost(WAIT).until(() -> queued(admin, path) == 3);
        assertFalse(d.isDone());

        // a leaves: d, now second in line, must hear it although it first watched b and c.
        semaphore.release(a);
        semaphore.release(a); // idempotent
        Lease dPermit = d.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(dPermit.token() > b.token());
        assertTrue(b.isHeld() && dPermit.isHeld());
        assertFalse(a.isHeld());
        assertThrows(FencingException.class, () -> a.fence().create("/semaphore-a-late", new byte[0], CreateMode.PERSISTENT));
        semaphore.release(b);
        assertThrows(IllegalArgumentException.class, () -> semaphore.release(new DistributedMutex(client, "/locks/x").lock()));
    }

    @Test
    void aHolderWhoseSessionIsLostLosesItsPermitAndTheNextWaiterGetsIt() throws Exception {
        String path = "/semaphores/lost";
        Coordinator admin = cluster.client();
        try (CuttableProxy proxy = cluster.keep(new CuttableProxy(cluster.cluster.endpoint(0)))) {
            Coordinator cutClient = cluster.client(proxy.endpoint(), 2_000);
            Lease held = new DistributedSemaphore(cutClient, path, 1).acquire();
            Callable<Lease> waiting = () -> new DistributedSemaphore(cluster.client(), path, 1).acquire();
            Future<Lease> next = threads.submit(waiting);
            await().atMost(WAIT).until(() -> queued(admin, path) == 2);

            proxy.cut();
            await().atMost(WAIT).until(() -> !held.isHeld());
            Lease nextPermit = next.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(nextPermit.token() > held.token());
            assertThrows(FencingException.class, () -> new Fence(admin, held.nodePath(), held.token())
                    .create("/semaphore-lost-late", new byte[0], CreateMode.PERSISTENT));
            new DistributedSemaphore(admin, path, 1).release(nextPermit);
        }
    }

    @Test
    void theWindowIsTheNJustAhead() {
        List<String> queue = List.of("a", "b", "c", "d", "e");
        assertEquals(List.of(), DistributedSemaphore.window(queue, 1, 2));
        assertEquals(List.of("a", "b"), DistributedSemaphore.window(queue, 2, 2));
        assertEquals(List.of("b", "c", "d"), DistributedSemaphore.window(queue, 4, 3));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSemaphore(cluster.client(), "/s", 0));
    }
}

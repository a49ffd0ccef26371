package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.support.CuttableProxy;
import io.coordinator.core.api.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.recipes.RecipeCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DistributedMutex} on three real members in this JVM. Each test uses a lock path of its own.
 */
class DistributedMutexTest extends RecipeTestBase {

    private static int queueLength(Coordinator client, String path) {
        try {
            return client.children(path).names().size();
        } catch (CoordinatorException.NoNodeException e) {
            return 0;
        }
    }

    @Test
    void anUncontendedLockIsGrantedAtOnceAndItsLatencyIsPrinted() throws Exception {
        Coordinator client = cluster.client();
        DistributedMutex mutex = new DistributedMutex(client, "/locks/uncontended");
        int warmup = 20;
        int measured = 200;
        long[] micros = new long[measured];
        long previousToken = 0;
        for (int i = 0; i < warmup + measured; i++) {
            long start = System.nanoTime();
            Lease lease = mutex.lock();
            mutex.unlock();
            long took = System.nanoTime() - start;
            assertTrue(lease.token() > previousToken);
            previousToken = lease.token();
            if (i >= warmup) {
                micros[i - warmup] = TimeUnit.NANOSECONDS.toMicros(took);
            }
        }
        // For scale: one plain write on the same client, same members, right after.
        client.create("/locks-latency-reference", new byte[0], io.coordinator.core.api.CreateMode.PERSISTENT);
        long[] writeMicros = new long[measured];
        for (int i = 0; i < measured; i++) {
            long start = System.nanoTime();
            client.set("/locks-latency-reference", new byte[8]);
            writeMicros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        }
        System.out.println("uncontended lock+unlock on 3 in-process members, " + measured + " runs: " + percentiles(micros));
        System.out.println("one plain set, same client, for scale:                " + percentiles(writeMicros));
        assertEquals(0, queueLength(client, "/locks/uncontended"));
    }

    private static String percentiles(long[] micros) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return String.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", sorted[n / 2] / 1000.0,
                sorted[n * 9 / 10] / 1000.0, sorted[n * 99 / 100] / 1000.0, sorted[n - 1] / 1000.0);
    }

    @Test
    void grantsFollowRequestOrderWithStrictlyIncreasingTokens() throws Exception {
        String path = "/locks/fair";
        Coordinator holderClient = cluster.client();
        DistributedMutex holder = new DistributedMutex(holderClient, path);
        Lease first = holder.lock();

        record Grant(String who, long token) {
        }
        List<Grant> grants = new CopyOnWriteArrayList<>();
        List<Future<?>> waiters = new ArrayList<>();
        for (String who : List.of("b", "c", "d")) {
            DistributedMutex mutex = new DistributedMutex(cluster.client(), path);
            int before = queueLength(holderClient, path);
            waiters.add(threads.submit(() -> {
                Lease lease = mutex.lock();
                grants.add(new Grant(who, lease.token()));
                mutex.unlock();
                return null;
            }));
            // The next one asks only once this one stands in line.
            await().atMost(WAIT).until(() -> queueLength(holderClient, path) == before + 1);
        }
        assertTrue(grants.isEmpty());
        holder.unlock();
        for (Future<?> waiter : waiters) {
            waiter.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertEquals(List.of("b", "c", "d"), grants.stream().map(Grant::who).toList());
        assertTrue(first.token() < grants.get(0).token());
        assertTrue(grants.get(0).token() < grants.get(1).token());
        assertTrue(grants.get(1).token() < grants.get(2).token());
    }

    @Test
    void aWaiterThatGivesUpLeavesTheLineAndTheOneBehindItWaitsForTheNextAhead() throws Exception {
        String path = "/locks/give-up";
        DistributedMutex holder = new DistributedMutex(cluster.client(), path);
        Coordinator observer = cluster.client();
        holder.lock();
        DistributedMutex quitter = new DistributedMutex(cluster.client(), path);
        Future<Optional<Lease>> quit = threads.submit(() -> quitter.tryLock(Duration.ofMillis(1_500)));
        await().atMost(WAIT).until(() -> queueLength(observer, path) == 2);
        DistributedMutex patient = new DistributedMutex(cluster.client(), path);
        Future<Lease> waiting = threads.submit(patient::lock);
        await().atMost(WAIT).until(() -> queueLength(observer, path) == 3);

        assertTrue(quit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).isEmpty());
        // The quitter's node went; the patient one now waits for the holder, not for the lock.
        await().atMost(WAIT).until(() -> queueLength(observer, path) == 2);
        assertFalse(waiting.isDone());
        holder.unlock();
        Lease lease = waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(lease.isHeld());
    }

    @Test
    void aWaiterWhoseNodeAndDirectoryWentFailsWithLockLostNotAMissingPath() throws Exception {
        String path = "/locks/vanished";
        Coordinator observer = cluster.client();
        DistributedMutex holder = new DistributedMutex(cluster.client(), path);
        holder.lock();
        DistributedMutex waiter = new DistributedMutex(cluster.client(), path);
        Future<Lease> waiting = threads.submit(waiter::lock);
        await().atMost(WAIT).until(() -> queueLength(observer, path) == 2);
        // The waiter's node goes (as with its session) without waking it; the holder's release then
        // empties the container, which the cluster removes in the same revision.
        String waiterNode = observer.children(path).names().stream()
                .max(java.util.Comparator.comparingLong(Contender::sequenceOf)).orElseThrow();
        observer.delete(path + "/" + waiterNode, -1);
        holder.unlock();
        java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(failed.getCause() instanceof LockLostException, failed.getCause().toString());
        assertTrue(observer.exists(path).isEmpty());
    }

    @Test
    void anUnlockThatCannotReachTheClusterStillFreesTheLockOnceItCan() throws Exception {
        String path = "/locks/unlock-while-cut";
        CuttableProxy proxy = cluster.keep(new CuttableProxy(cluster.cluster.endpoint(0)));
        Coordinator holderClient = cluster.client(proxy.endpoint(), 30_000, 1_500);
        DistributedMutex holder = new DistributedMutex(holderClient, path);
        holder.lock();
        DistributedMutex waiter = new DistributedMutex(cluster.client(), path);
        Future<Lease> waiting = threads.submit(waiter::lock);
        await().atMost(WAIT).until(() -> queueLength(cluster.client(), path) == 2);

        proxy.cut();
        assertThrows(CoordinatorException.class, holder::unlock);
        assertFalse(holder.isHeldByCurrentThread());
        // Back within the session's TTL: the holder's node must go although nobody calls unlock again
        // (left behind, it would block the lock for as long as the holder's client lives).
        proxy.heal();
        Lease next = waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(next.isHeld());
        assertTrue(holderClient.state() != io.coordinator.client.SessionState.LOST);
    }

    @Test
    void reentrantForTheHoldingThreadOnlyAndEveryHoldMustBeReleased() throws Exception {
        String path = "/locks/reentrant";
        DistributedMutex mutex = new DistributedMutex(cluster.client(), path);
        Lease outer = mutex.lock();
        Lease inner = mutex.lock();
        assertSame(outer, inner);
        assertEquals(2, mutex.holdCount());

        // Another thread, same object: a contender like any other.
        assertTrue(threads.submit(() -> mutex.tryLock(Duration.ofMillis(300))).get().isEmpty());
        mutex.unlock();
        assertTrue(mutex.isHeldByCurrentThread());
        assertTrue(threads.submit(() -> mutex.tryLock(Duration.ofMillis(300))).get().isEmpty());
        mutex.unlock();
        assertFalse(mutex.isHeldByCurrentThread());
        assertFalse(outer.isHeld());
        Future<Long> other = threads.submit(() -> {
            Lease lease = mutex.lock();
            mutex.unlock();
            return lease.token();
        });
        assertTrue(other.get(WAIT.toMillis(), TimeUnit.MILLISECONDS) > outer.token());
    }

    @Test
    void releasingALockOneDoesNotHoldIsRefusedAndChangesNothing() throws Exception {
        String path = "/locks/not-mine";
        Coordinator client = cluster.client();
        DistributedMutex holder = new DistributedMutex(client, path);
        holder.lock();
        DistributedMutex stranger = new DistributedMutex(cluster.client(), path);
        long before = client.get(path).revision();
        assertThrows(IllegalMonitorStateException.class, stranger::unlock);
        // Not even the holder's object, from another thread.
        assertThrows(IllegalMonitorStateException.class, () -> {
            try {
                threads.submit(() -> {
                    holder.unlock();
                    return null;
                }).get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause();
            }
        });
        assertEquals(before, client.get(path).revision());
        assertTrue(holder.isHeldByCurrentThread());
        holder.unlock();
        assertThrows(IllegalMonitorStateException.class, holder::unlock);
    }

    @Test
    void anInvalidOrHugeLockNameIsATypedErrorAndCreatesNothing() throws Exception {
        Coordinator client = cluster.client();
        long before = client.get("/").revision();
        String huge = "/locks-huge/" + "x".repeat(5_000);
        CoordinatorException tooLong = assertThrows(CoordinatorException.class,
                () -> new DistributedMutex(client, huge).lock());
        assertTrue(tooLong.code() == ErrorCode.TOO_LARGE || tooLong.code() == ErrorCode.INVALID_PATH, tooLong.toString());
        CoordinatorException invalid = assertThrows(CoordinatorException.class,
                () -> new DistributedMutex(client, "/locks-bad//x").lock());
        assertEquals(ErrorCode.INVALID_PATH, invalid.code());
        assertEquals(ErrorCode.INVALID_PATH, assertThrows(CoordinatorException.class,
                () -> new DistributedMutex(client, "relative").tryLock(Duration.ofSeconds(1))).code());
        assertEquals(before, client.get("/").revision());
        assertTrue(client.exists("/locks-huge").isEmpty());
        assertTrue(client.exists("/locks-bad").isEmpty());
    }

    @Test
    void aLockNameNeverSeenBeforeIsCreatedOnFirstUseAndGoesWithItsLastNode() throws Exception {
        Coordinator client = cluster.client();
        DistributedMutex mutex = new DistributedMutex(client, "/fresh/deeply/nested/lock");
        Lease lease = mutex.lock();
        assertTrue(client.exists("/fresh/deeply/nested/lock").isPresent());
        mutex.unlock();
        assertTrue(client.exists("/fresh/deeply/nested/lock").isEmpty(), "a container goes with its last child");
        assertTrue(mutex.lock().token() > lease.token());
        mutex.unlock();
    }

    @Test
    void theLockIsReleasedWhenTheHoldersSessionEnds() throws Exception {
        String path = "/locks/session-end";
        Coordinator holderClient = cluster.client();
        Lease held = new DistributedMutex(holderClient, path).lock();
        DistributedMutex waiter = new DistributedMutex(cluster.client(), path);
        Future<Lease> waiting = threads.submit(waiter::lock);
        await().atMost(WAIT).until(() -> queueLength(cluster.client(), path) == 2);
        holderClient.close();
        Lease next = waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(next.token() > held.token());
        assertFalse(held.isHeld());
    }
}

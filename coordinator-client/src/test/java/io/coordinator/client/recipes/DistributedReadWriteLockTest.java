package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.support.CuttableProxy;
import io.coordinator.core.api.CreateMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.coordinator.client.recipes.RecipeCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DistributedReadWriteLock} on three real members in this JVM; each test has a directory of its own. */
class DistributedReadWriteLockTest extends RecipeTestBase {

    private static int queued(Coordinator client, String path) {
        try {
            return client.children(path).names().size();
        } catch (CoordinatorException.NoNodeException e) {
            return 0;
        }
    }

    @Test
    void neverAWriterTogetherWithAnyoneElse() throws Exception {
        String path = "/rwlocks/exclusion";
        Coordinator admin = cluster.client();
        admin.create("/rwlocks-data", new byte[0], CreateMode.PERSISTENT);
        List<Coordinator> clients = List.of(cluster.client(), cluster.client(), cluster.client());
        AtomicInteger readers = new AtomicInteger();
        AtomicInteger writers = new AtomicInteger();
        AtomicInteger maxReaders = new AtomicInteger();
        List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        int workers = 6;
        int roundsPerWorker = 8;
        List<Future<Integer>> done = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            DistributedReadWriteLock rw = new DistributedReadWriteLock(clients.get(w % clients.size()), path);
            Random random = new Random(42 + w);
            done.add(threads.submit(() -> {
                int fencedWrites = 0;
                for (int round = 0; round < roundsPerWorker; round++) {
                    if (random.nextInt(3) == 0) {
                        Lease lease = rw.writeLock().lock();
                        try {
                            int nowWriters = writers.incrementAndGet();
                            // The fenced write lands while this writer is counted as holding.
                            lease.fence().set("/rwlocks-data", ("w" + lease.token()).getBytes(), -1);
                            fencedWrites++;
                            if (nowWriters != 1 || readers.get() != 0) {
                                violations.add("writer " + lease.token() + " with writers=" + nowWriters
                                        + " readers=" + readers.get());
                            }
                        } finally {
                            writers.decrementAndGet();
                            rw.writeLock().unlock();
                        }
                    } else {
                        Lease lease = rw.readLock().lock();
                        try {
                            int nowReaders = readers.incrementAndGet();
                            maxReaders.accumulateAndGet(nowReaders, Math::max);
                            lease.fence().txn().then(io.coordinator.client.Ops.get("/rwlocks-data")).commit();
                            if (writers.get() != 0) {
                                violations.add("reader " + lease.token() + " with writers=" + writers.get());
                            }
                        } finally {
                            readers.decrementAndGet();
                            rw.readLock().unlock();
                        }
                    }
                }
                return fencedWrites;
            }));
        }
        int fencedWrites = 0;
        for (Future<Integer> f : done) {
            fencedWrites += f.get(WAIT.toMillis() * 4, TimeUnit.MILLISECONDS);
        }
        assertEquals(List.of(), violations);
        assertTrue(fencedWrites > 0, "the seeds give some writers");
        System.out.println("rwlock exclusion: " + fencedWrites + " fenced writes, at most " + maxReaders.get()
                + " readers together");
        assertEquals(0, queued(admin, path));
    }

    @Test
    void readersHoldTogether() throws Exception {
        String path = "/rwlocks/shared";
        DistributedReadWriteLock first = new DistributedReadWriteLock(cluster.client(), path);
        DistributedReadWriteLock second = new DistributedReadWriteLock(cluster.client(), path);
        Lease a = first.readLock().lock();
        // Two lock objects are two contenders, even in one thread: b would wait here if reads excluded.
        Lease b = second.readLock().tryLock(WAIT).orElseThrow();
        assertTrue(a.isHeld() && b.isHeld());
        assertTrue(b.token() > a.token());
        first.readLock().unlock();
        second.readLock().unlock();
    }

    @Test
    void aWriterArrivingWhileReadersHoldIsGrantedBeforeReadersThatArriveAfterIt() throws Exception {
        String path = "/rwlocks/no-starvation";
        Coordinator admin = cluster.client();
        DistributedReadWriteLock early = new DistributedReadWriteLock(cluster.client(), path);
        Lease earlyRead = early.readLock().lock();

        DistributedReadWriteLock writer = new DistributedReadWriteLock(cluster.client(), path);
        CompletableFuture<Lease> write = new CompletableFuture<>();
        CompletableFuture<Void> releaseWriter = new CompletableFuture<>();
        Future<?> writerThread = threads.submit(() -> {
            write.complete(writer.writeLock().lock());
            releaseWriter.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
            writer.writeLock().unlock(); // holds are per thread: the locking thread unlocks
            return null;
        });
        await().atMost(WAIT).until(() -> queued(admin, path) == 2);
        DistributedReadWriteLock late = new DistributedReadWriteLock(cluster.client(), path);
        Future<Lease> lateRead = threads.submit(() -> {
            Lease lease = late.readLock().lock();
            late.readLock().unlock();
            return lease;
        });
        await().atMost(WAIT).until(() -> queued(admin, path) == 3);
        assertFalse(write.isDone());
        assertFalse(lateRead.isDone(), "a reader does not join readers that hold when a writer waits between");

        early.readLock().unlock();
        Lease writeLease = write.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        // The writer holds, so it is first; the late reader is behind it and cannot hold.
        assertFalse(lateRead.isDone());
        assertTrue(writeLease.token() > earlyRead.token());
        releaseWriter.complete(null);
        writerThread.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(lateRead.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).token() > writeLease.token());
    }

    @Test
    void aWriterWaitsForEveryEarlierNodeAndReadersBehindItGoTogether() throws Exception {
        String path = "/rwlocks/order";
        Coordinator admin = cluster.client();
        DistributedReadWriteLock first = new DistributedReadWriteLock(cluster.client(), path);
        first.writeLock().lock();
        List<Future<Lease>> readersBehind = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            DistributedReadWriteLock rw = new DistributedReadWriteLock(cluster.client(), path);
            int before = queued(admin, path);
            readersBehind.add(threads.submit(() -> rw.readLock().lock()));
            await().atMost(WAIT).until(() -> queued(admin, path) == before + 1);
        }
        DistributedReadWriteLock lastWriter = new DistributedReadWriteLock(cluster.client(), path);
        Future<Lease> last = threads.submit(() -> lastWriter.writeLock().lock());
        await().atMost(WAIT).until(() -> queued(admin, path) == 4);

        first.writeLock().unlock();
        // Both readers hold at once (neither released), and the writer after them waits.
        for (Future<Lease> reader : readersBehind) {
            assertTrue(reader.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).isHeld());
        }
        assertFalse(last.isDone());
        assertEquals(3, queued(admin, path));
    }

    @Test
    void aReaderBehindAWriterThatGivesUpJoinsTheReadersAlreadyHolding() throws Exception {
        String path = "/rwlocks/writer-gives-up";
        Coordinator admin = cluster.client();
        DistributedReadWriteLock early = new DistributedReadWriteLock(cluster.client(), path);
        early.readLock().lock();
        DistributedReadWriteLock quitter = new DistributedReadWriteLock(cluster.client(), path);
        Future<Optional<Lease>> quit = threads.submit(() -> quitter.writeLock().tryLock(Duration.ofMillis(1_500)));
        await().atMost(WAIT).until(() -> queued(admin, path) == 2);
        DistributedReadWriteLock late = new DistributedReadWriteLock(cluster.client(), path);
        CompletableFuture<Lease> lateRead = new CompletableFuture<>();
        CompletableFuture<Void> releaseLate = new CompletableFuture<>();
        Future<?> lateThread = threads.submit(() -> {
            lateRead.complete(late.readLock().lock());
            releaseLate.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
            late.readLock().unlock();
            return null;
        });
        await().atMost(WAIT).until(() -> queued(admin, path) == 3);

        assertTrue(quit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).isEmpty());
        // The late reader watched only the writer; once it is gone, no writer is ahead: it holds
        // together with the early reader, which never released.
        assertTrue(lateRead.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).isHeld());
        assertTrue(early.readLock().isHeldByCurrentThread());
        releaseLate.complete(null);
        lateThread.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        early.readLock().unlock();
        await().atMost(WAIT).until(() -> queued(admin, path) == 0);
    }

    @Test
    void aHolderWhoseSessionIsLostLetsTheNextInAndItsFencedWritesAreRefused() throws Exception {
        String path = "/rwlocks/lost";
        Coordinator admin = cluster.client();
        try (CuttableProxy proxy = cluster.keep(new CuttableProxy(cluster.cluster.endpoint(0)))) {
            Coordinator cutClient = cluster.client(proxy.endpoint(), 2_000);
            DistributedReadWriteLock holder = new DistributedReadWriteLock(cutClient, path);
            Lease held = holder.writeLock().lock();
            DistributedReadWriteLock waiter = new DistributedReadWriteLock(cluster.client(), path);
            Future<Lease> next = threads.submit(() -> waiter.readLock().lock());
            await().atMost(WAIT).until(() -> queued(admin, path) == 2);

            proxy.cut();
            await().atMost(WAIT).until(() -> !held.isHeld());
            Lease read = next.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(read.token() > held.token());
            assertThrows(FencingException.class, () -> new Fence(admin, held.nodePath(), held.token())
                    .create("/rwlock-lost-late", new byte[0], CreateMode.PERSISTENT));
            proxy.heal();
            holder.writeLock().unlock(); // balances the hold, deletes nothing of anyone else's
            assertEquals(0, holder.writeLock().holdCount());
            assertTrue(read.isHeld());
            assertEquals(1, queued(admin, path));
        }
    }

    @Test
    void upgradeAndDowngradeAreRefusedRatherThanWaitingForOneself() throws Exception {
        DistributedReadWriteLock rw = new DistributedReadWriteLock(cluster.client(), "/rwlocks/upgrade");
        rw.readLock().lock();
        assertThrows(IllegalMonitorStateException.class, () -> rw.writeLock().lock());
        rw.readLock().lock();
        assertEquals(2, rw.readLock().holdCount());
        rw.readLock().unlock();
        rw.readLock().unlock();
        rw.writeLock().lock();
        assertThrows(IllegalMonitorStateException.class, () -> rw.readLock().tryLock(Duration.ofSeconds(1)));
        rw.writeLock().unlock();
        assertThrows(IllegalMonitorStateException.class, () -> rw.writeLock().unlock());
    }

    @Test
    void theTurnRules() {
        List<String> queue = List.of("read-a-1", "write-b-2", "read-c-3", "read-d-4", "lock-e-5", "read-f-6", "write-g-7");
        assertEquals(List.of(), DistributedReadWriteLock.readerTurn(queue, 0));
        assertEquals(List.of("write-b-2"), DistributedReadWriteLock.readerTurn(queue, 3));
        // Any node that is not a reader's counts as exclusive.
        assertEquals(List.of("lock-e-5"), DistributedReadWriteLock.readerTurn(queue, 5));
        assertEquals(List.of(), DistributedReadWriteLock.writerTurn(queue, 0));
        assertEquals(List.of("read-f-6"), DistributedReadWriteLock.writerTurn(queue, 6));
    }
}

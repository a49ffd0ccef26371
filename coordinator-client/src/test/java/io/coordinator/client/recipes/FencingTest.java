package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Ops;
import io.coordinator.client.SessionState;
import io.coordinator.client.TxnResult;
import io.coordinator.client.support.CuttableProxy;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.coordinator.client.recipes.RecipeCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fencing tokens of {@link DistributedMutex} guarding writes to Coordinator ({@link Fence}) and to a
 * resource outside it ({@link FencedResource}), on three real members in this JVM.
 */
class FencingTest extends RecipeTestBase {

    @Test
    void aHolderPausedPastItsSessionIsFencedOutOnceTheNextHolderHasTheLock() throws Exception {
        String lock = "/locks/paused";
        Coordinator admin = cluster.client();
        admin.create("/guarded-paused", utf8("initial"), CreateMode.PERSISTENT);
        FencedResource<String> storage = new FencedResource<>("storage");

        // The holder reaches the cluster only through a proxy that the test cuts: its process "sleeps".
        CuttableProxy proxy = cluster.keep(new CuttableProxy(cluster.cluster.endpoint(0)));
        Coordinator holderClient = cluster.client(proxy.endpoint(), 2_000);
        List<SessionState> holderStates = new CopyOnWriteArrayList<>();
        holderClient.addStateListener(holderStates::add);
        DistributedMutex holderMutex = new DistributedMutex(holderClient, lock);
        Lease old = holderMutex.lock();
        old.fence().set("/guarded-paused", utf8("old-1"), -1);
        storage.write(old.token(), "old-1");

        DistributedMutex waiterMutex = new DistributedMutex(cluster.client(), lock);
        Future<Lease> waiting = threads.submit(waiterMutex::lock);
        await().atMost(WAIT).until(() -> admin.children(lock).names().size() == 2);

        proxy.cut();
        // The holder's session expires on the cluster (no keep-alive gets through), its node goes,
        // and the waiter is granted the lock with a larger token.
        Lease next = waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(next.token() > old.token(), next + " after " + old);
        next.fence().set("/guarded-paused", utf8("new-1"), -1);
        storage.write(next.token(), "new-1");

        // The holder wakes up and, not knowing any better, writes under its old grant.
        proxy.heal();
        await().atMost(WAIT).until(() -> holderStates.contains(SessionState.LOST));
        assertFalse(old.isHeld());
        FencingException refused = assertThrows(FencingException.class,
                () -> old.fence().set("/guarded-paused", utf8("old-2"), -1));
        assertEquals(ErrorCode.BAD_VERSION, refused.code());
        assertEquals(old.token(), refused.token());
        assertEquals(0, refused.currentToken(), "the old holder's node is gone");
        FencingException outside = assertThrows(FencingException.class, () -> storage.write(old.token(), "old-2"));
        assertEquals(next.token(), outside.currentToken());

        assertEquals("new-1", admin.get("/guarded-paused").dataUtf8());
        assertEquals(List.of("old-1", "new-1"), storage.accepted().stream().map(FencedResource.Write::value).toList());
        // And a re-entrant lock() on the lost grant says so rather than pretending.
        assertThrows(LockLostException.class, holderMutex::lock);
        holderMutex.unlock();
        assertTrue(next.isHeld());
    }

    @Test
    void aFencedWriteAfterUnlockIsRefusedAndChangesNothing() throws Exception {
        Coordinator client = cluster.client();
        client.create("/guarded-unlock", utf8("v0"), CreateMode.PERSISTENT);
        DistributedMutex mutex = new DistributedMutex(client, "/locks/unlock-then-write");
        Lease lease = mutex.lock();
        Fence fence = lease.fence();
        assertEquals(1, fence.set("/guarded-unlock", utf8("v1"), 0).version());
        mutex.unlock();
        long before = client.get("/").revision();

        assertThrows(FencingException.class, () -> fence.set("/guarded-unlock", utf8("v2"), -1));
        assertThrows(FencingException.class, () -> fence.create("/guarded-unlock/child", new byte[0], CreateMode.PERSISTENT));
        assertThrows(FencingException.class, () -> fence.delete("/guarded-unlock", -1));
        CoordinatorException async = assertInstanceOf(CoordinatorException.class, assertThrows(
                java.util.concurrent.ExecutionException.class,
                () -> fence.txn().then(Ops.set("/guarded-unlock", utf8("v3"), -1)).commitAsync().get()).getCause());
        assertInstanceOf(FencingException.class, async);
        assertEquals(before, client.get("/").revision());
        assertEquals("v1", client.get("/guarded-unlock").dataUtf8());
    }

    @Test
    void aFencedTxnTellsItsOwnFailedCompareFromAStaleTokenAndItsElseBranchMayOnlyRead() throws Exception {
        Coordinator client = cluster.client();
        client.create("/guarded-txn", utf8("v0"), CreateMode.PERSISTENT);
        DistributedMutex mutex = new DistributedMutex(client, "/locks/txn");
        Lease lease = mutex.lock();
        TxnResult own = lease.fence().txn()
                .compare(Compare.version("/guarded-txn", Compare.Operator.EQUAL, 7))
                .then(Ops.set("/guarded-txn", utf8("never"), -1))
                .orElse(Ops.get("/guarded-txn"))
                .commit();
        assertFalse(own.succeeded());
        assertEquals(1, own.results().size(), "the fence's own read is not handed back");
        assertEquals("v0", new String(own.result(0, io.coordinator.core.api.Response.Data.class).data(), StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> lease.fence().txn().orElse(Ops.set("/guarded-txn", utf8("x"), -1)));
        assertThrows(IllegalArgumentException.class, () -> new Fence(client, "/x", 0));
        mutex.unlock();
    }

    @Test
    void aFencedResourceRefusesATokenLowerThanTheHighestItHasSeen() {
        FencedResource<String> resource = new FencedResource<>("r");
        resource.write(5, "a");
        resource.write(5, "b");
        resource.write(9, "c");
        FencingException stale = assertThrows(FencingException.class, () -> resource.write(8, "d"));
        assertEquals(8, stale.token());
        assertEquals(9, stale.currentToken());
        assertEquals(List.of("a", "b", "c"), resource.accepted().stream().map(FencedResource.Write::value).toList());
    }

    @Test
    void threadsContendingOnSeveralClientsNeverOverlapAndEveryOneGetsTheLock() throws Exception {
        String lock = "/locks/contended";
        Coordinator admin = cluster.client();
        admin.create("/guarded-contended", new byte[0], CreateMode.PERSISTENT);
        FencedResource<String> storage = new FencedResource<>("storage");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Long> grantOrder = new CopyOnWriteArrayList<>();
        int clients = 3;
        int threadsPerClient = 2;
        int grantsPerThread = 4;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);

        List<Future<Integer>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            DistributedMutex mutex = new DistributedMutex(cluster.client(), lock); // threads of one object contend too
            for (int t = 0; t < threadsPerClient; t++) {
                String who = "c" + c + "t" + t;
                workers.add(threads.submit(() -> {
                    int granted = 0;
                    while (granted < grantsPerThread && System.nanoTime() < deadline) {
                        Lease lease = mutex.lock();
                        try {
                            if (inside.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            grantOrder.add(lease.token());
                            storage.write(lease.token(), who + "-begin");
                            lease.fence().set("/guarded-contended", utf8(who), -1);
                            storage.write(lease.token(), who + "-end");
                            inside.decrementAndGet();
                            granted++;
                        } finally {
                            mutex.unlock();
                        }
                    }
                    return granted;
                }));
            }
        }
        for (Future<Integer> worker : workers) {
            assertEquals(grantsPerThread, worker.get(120, TimeUnit.SECONDS), "every thread got the lock its share of times");
        }
        assertEquals(0, overlaps.get());
        int total = clients * threadsPerClient * grantsPerThread;
        assertEquals(total, grantOrder.size());
        for (int i = 1; i < grantOrder.size(); i++) {
            assertTrue(grantOrder.get(i - 1) < grantOrder.get(i), "tokens grow in grant order: " + grantOrder);
        }
        // The resource saw each holder's two writes back to back, and every token once.
        List<FencedResource.Write<String>> writes = storage.accepted();
        assertEquals(2 * total, writes.size());
        for (int i = 0; i < writes.size(); i += 2) {
            assertEquals(writes.get(i).token(), writes.get(i + 1).token());
            assertEquals(grantOrder.get(i / 2), writes.get(i).token());
            assertTrue(writes.get(i).value().endsWith("-begin") && writes.get(i + 1).value().endsWith("-end"));
        }
        assertEquals(total, admin.get("/guarded-contended").stat().version());
    }
}

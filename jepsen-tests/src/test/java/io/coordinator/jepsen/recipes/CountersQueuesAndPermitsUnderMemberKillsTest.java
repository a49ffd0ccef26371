package io.coordinator.jepsen.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.recipes.AtomicCounter;
import io.coordinator.client.recipes.DistributedQueue;
import io.coordinator.client.recipes.DistributedSemaphore;
import io.coordinator.client.recipes.Lease;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counter, the queue and the semaphore with clients on three member processes, while members are
 * SIGKILLed and restarted one at a time: no increment lost, no item handed to two consumers, never
 * more permits held than there are.
 */
class CountersQueuesAndPermitsUnderMemberKillsTest extends ProcessRecipeTestBase {
    private static final Duration LOAD = Duration.ofSeconds(15);
    private static final int CLIENTS = 6;

    @Test
    void theCounterLosesNoIncrementAndCountsNoneTwice() throws Exception {
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong unknown = new AtomicLong();
        runUnderKills(11, id -> {
            AtomicCounter counter = new AtomicCounter(client(10_000), "/counters/under-kills");
            long deadline = System.nanoTime() + LOAD.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    counter.increment();
                    acknowledged.incrementAndGet();
                } catch (CoordinatorException e) {
                    if (e.outcomeUnknown()) {
                        unknown.incrementAndGet();
                    }
                }
            }
        });
        long value = new AtomicCounter(client(10_000), "/counters/under-kills").get();
        String story = "value " + value + ", acknowledged " + acknowledged + ", unknown " + unknown;
        System.out.println("counter under kills: " + story);
        assertTrue(acknowledged.get() > 0, story);
        assertTrue(value >= acknowledged.get(), "an acknowledged increment was lost: " + story);
        assertTrue(value <= acknowledged.get() + unknown.get(), "an increment counted twice: " + story);
    }

    @Test
    void eachQueuedItemGoesToOneConsumerAtMost() throws Exception {
        String path = "/queues/under-kills";
        Set<String> offered = ConcurrentHashMap.newKeySet();
        Set<String> offerUnknown = ConcurrentHashMap.newKeySet();
        List<String> taken = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger takesUnknown = new AtomicInteger();
        runUnderKills(12, id -> {
            DistributedQueue queue = new DistributedQueue(client(10_000), path);
            long deadline = System.nanoTime() + LOAD.toNanos();
            for (int n = 0; System.nanoTime() < deadline; n++) {
                if (id % 2 == 0) {
                    String item = id + "-" + n;
                    try {
                        queue.offer(item.getBytes(StandardCharsets.UTF_8));
                        offered.add(item);
                    } catch (CoordinatorException e) {
                        offerUnknown.add(item);
                    }
                } else {
                    try {
                        queue.poll(Duration.ofMillis(200)).ifPresent(item -> taken.add(new String(item, StandardCharsets.UTF_8)));
                    } catch (CoordinatorException e) {
                        if (e.outcomeUnknown()) {
                            takesUnknown.incrementAndGet();
                        }
                    }
                }
            }
        });
        DistributedQueue drain = new DistributedQueue(client(10_000), path);
        for (Optional<byte[]> item = drain.poll(); item.isPresent(); item = drain.poll()) {
            taken.add(new String(item.get(), StandardCharsets.UTF_8));
        }
        String story = "offered " + offered.size() + " (+" + offerUnknown.size() + " unknown), taken " + taken.size()
                + ", takes with unknown outcome " + takesUnknown;
        System.out.println("queue under kills: " + story);
        Set<String> distinct = new HashSet<>(taken);
        assertEquals(taken.size(), distinct.size(), "an item was taken twice: " + story);
        for (String item : distinct) {
            assertTrue(offered.contains(item) || offerUnknown.contains(item), "taken but never offered: " + item);
        }
        Set<String> missing = new HashSet<>(offered);
        missing.removeAll(distinct);
        assertTrue(missing.size() <= takesUnknown.get(), "acknowledged items lost: " + missing + "; " + story);
        assertTrue(offered.size() > 0, story);
    }

    @Test
    void theSemaphoreNeverHasMoreHoldersThanPermits() throws Exception {
        int permits = 2;
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger grants = new AtomicInteger();
        runUnderKills(13, id -> {
            DistributedSemaphore semaphore = new DistributedSemaphore(client(10_000), "/semaphores/under-kills", permits);
            long deadline = System.nanoTime() + LOAD.toNanos();
            while (System.nanoTime() < deadline) {
                Optional<Lease> permit;
                try {
                    permit = semaphore.tryAcquire(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                } catch (CoordinatorException e) {
                    continue;
                }
                if (permit.isEmpty()) {
                    break;
                }
                most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                grants.incrementAndGet();
                TimeUnit.MILLISECONDS.sleep(10);
                holding.decrementAndGet();
                try {
                    semaphore.release(permit.get());
                } catch (CoordinatorException e) {
                    // given up locally; the client deletes the node once it reaches the cluster
                }
            }
        });
        System.out.println("semaphore under kills: " + grants + " grants, at most " + most + " at once");
        assertTrue(grants.get() > CLIENTS, "too few grants to say anything: " + grants);
        assertTrue(most.get() <= permits, most + " holders of " + permits + " permits");
    }

    private interface Worker {
        void run(int id) throws Exception;
    }

    /** Runs {@link #CLIENTS} workers while a {@link MemberKiller} with the given seed is at work. */
    private void runUnderKills(long seed, Worker worker) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        MemberKiller killer = new MemberKiller(cluster, Duration.ofSeconds(4), Duration.ofSeconds(1), seed);
        try {
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                done.add(threads.submit(() -> {
                    worker.run(id);
                    return null;
                }));
            }
            threads.shutdown();
            assertTrue(threads.awaitTermination(LOAD.toSeconds() + 120, TimeUnit.SECONDS), "workers still running");
            for (java.util.concurrent.Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
            killer.close();
        }
        System.out.println("kills: " + killer.timeline());
        assertTrue(killer.kills() >= 1, "no member was killed: " + killer.timeline());
    }
}

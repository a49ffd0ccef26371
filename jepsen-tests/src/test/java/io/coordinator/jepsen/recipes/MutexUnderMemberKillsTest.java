package io.coordinator.jepsen.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.SessionState;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Stat;
import io.coordinator.client.recipes.DistributedMutex;
import io.coordinator.client.recipes.FencedResource;
import io.coordinator.client.recipes.FencingException;
import io.coordinator.client.recipes.Lease;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Twenty clients on three member processes contend for one fenced mutex while members are
 * SIGKILLed and restarted one at a time. What must hold, checked from three independent records:
 * the holders this JVM saw at once (never two), the grants in the order they were made (tokens
 * unique and increasing), and the fenced writes to Coordinator in the order of their revisions (a
 * lower token never after a higher one). Every client gets the lock.
 */
class MutexUnderMemberKillsTest extends ProcessRecipeTestBase {
    private static final int CLIENTS = 20;
    private static final Duration CONTENTION = Duration.ofSeconds(25);
    private static final long SESSION_TTL_MILLIS = 10_000;
    private static final String LOCK = "/locks/under-kills";
    private static final String OWNER = "/fenced/owner";

    private record Grant(int client, long token) {
    }

    private record FencedWrite(long token, long revision) {
    }

    private final List<Grant> grants = new ArrayList<>();
    private final List<FencedWrite> fencedWrites = new ArrayList<>();
    private final AtomicInteger holdersNow = new AtomicInteger();
    private final AtomicInteger holdersMax = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final FencedResource<String> resource = new FencedResource<>("resource");

    @Test
    void noTwoHoldersTokensGrowInGrantOrderAndEveryClientGetsTheLock() throws Exception {
        Coordinator setup = client(SESSION_TTL_MILLIS);
        setup.create("/fenced", new byte[0], CreateMode.PERSISTENT);
        setup.create(OWNER, new byte[0], CreateMode.PERSISTENT);
        List<Coordinator> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(client(SESSION_TTL_MILLIS));
        }
        ExecutorService workers = Executors.newFixedThreadPool(CLIENTS);
        List<Future<Integer>> grantsPerClient = new ArrayList<>();
        MemberKiller killer = new MemberKiller(cluster, Duration.ofSeconds(6), Duration.ofSeconds(1), 7);
        try {
            long deadline = System.nanoTime() + CONTENTION.toNanos();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                Coordinator client = clients.get(i);
                grantsPerClient.add(workers.submit(() -> contend(id, client, deadline)));
            }
            workers.shutdown();
            assertTrue(workers.awaitTermination(CONTENTION.toSeconds() + 120, TimeUnit.SECONDS), "clients still running");
        } finally {
            workers.shutdownNow();
            killer.close();
        }
        String story = "kills: " + killer.timeline() + ", grants: " + grants.size() + ", failed calls: " + failures.get();
        System.out.println("MutexUnderMemberKillsTest " + story);

        assertTrue(killer.kills() >= 2, story);
        assertEquals(1, holdersMax.get(), "two clients held the lock at once; " + story);
        for (SessionState state : clients.stream().map(Coordinator::state).toList()) {
            assertTrue(state != SessionState.LOST, "a session was lost, which member kills alone must not do; " + story);
        }
        Set<Long> tokens = new HashSet<>();
        for (int i = 0; i < grants.size(); i++) {
            assertTrue(tokens.add(grants.get(i).token()), "token granted twice: " + grants.get(i));
            if (i > 0) {
                assertTrue(grants.get(i - 1).token() < grants.get(i).token(),
                        "tokens out of grant order: " + grants.get(i - 1) + " then " + grants.get(i));
            }
        }
        List<FencedWrite> byRevision = new ArrayList<>(fencedWrites);
        byRevision.sort(Comparator.comparingLong(FencedWrite::revision));
        for (int i = 1; i < byRevision.size(); i++) {
            assertTrue(byRevision.get(i - 1).token() <= byRevision.get(i).token(),
                    "a fenced write of an earlier holder landed after a later holder's: "
                            + byRevision.get(i - 1) + " then " + byRevision.get(i));
        }
        assertEquals(grants.size() * 2, resource.accepted().size(), "the resource refused a holder's write; " + story);
        for (int i = 0; i < CLIENTS; i++) {
            assertTrue(grantsPerClient.get(i).get() > 0, "client " + i + " never got the lock; " + story);
        }
    }

    /** Takes and releases the lock until the deadline; returns how often it got it. */
    private int contend(int id, Coordinator client, long deadlineNanos) throws InterruptedException {
        DistributedMutex mutex = new DistributedMutex(client, LOCK);
        int granted = 0;
        while (System.nanoTime() < deadlineNanos) {
            Optional<Lease> lease;
            try {
                lease = mutex.tryLock(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())));
            } catch (CoordinatorException e) {
                failures.incrementAndGet(); // the cluster was between leaders past the request timeout
                continue;
            }
            if (lease.isEmpty()) {
                break;
            }
            try {
                hold(id, client, lease.get());
                granted++;
            } finally {
                mutex.unlock();
            }
        }
        return granted;
    }

    private void hold(int id, Coordinator client, Lease lease) throws InterruptedException {
        int now = holdersNow.incrementAndGet();
        holdersMax.accumulateAndGet(now, Math::max);
        try {
            synchronized (grants) {
                grants.add(new Grant(id, lease.token()));
            }
            resource.write(lease.token(), id + " begins");
            try {
                Stat stat = lease.fence().set(OWNER, (id + " " + lease.token()).getBytes(StandardCharsets.UTF_8), -1);
                synchronized (fencedWrites) {
                    fencedWrites.add(new FencedWrite(lease.token(), stat.modRevision()));
                }
            } catch (FencingException e) {
                throw new AssertionError("the holder's own fenced write was refused: " + lease, e);
            } catch (CoordinatorException e) {
                failures.incrementAndGet();
            }
            TimeUnit.MILLISECONDS.sleep(5);
            resource.write(lease.token(), id + " ends");
        } finally {
            holdersNow.decrementAndGet();
        }
    }
}

package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * A re-entrant, per-thread lock over a {@link Contender} queue: what {@link DistributedMutex} and both
 * sides of {@link DistributedReadWriteLock} are. The kind of lock is only its node prefix and its
 * turn rule (which nodes ahead it must wait for); the holds, the lease and the clean-up are the same.
 */
final class QueuedLock implements DistributedLock {
    private final Coordinator client;
    private final String path;
    private final Contender contender;
    private final String prefix;
    private final BiFunction<List<String>, Integer, List<String>> turn;
    private final BooleanSupplier refused;
    private final String refusedReason;
    private final Map<Thread, Hold> holds = new ConcurrentHashMap<>();

    private static final class Hold {
        final Lease lease;
        int count = 1;

        Hold(Lease lease) {
            this.lease = lease;
        }
    }

    /**
     * @param refused       checked in the calling thread before queueing: true refuses the lock with
     *                      {@link IllegalMonitorStateException} and {@code refusedReason} (a request
     *                      that would wait for the caller's own node)
     */
    QueuedLock(Coordinator client, Contender contender, String prefix,
               BiFunction<List<String>, Integer, List<String>> turn, BooleanSupplier refused, String refusedReason) {
        this.client = client;
        this.path = contender.dir();
        this.contender = contender;
        this.prefix = prefix;
        this.turn = turn;
        this.refused = refused;
        this.refusedReason = refusedReason;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Lease lock() throws InterruptedException {
        return acquire(Long.MAX_VALUE).orElseThrow();
    }

    @Override
    public Optional<Lease> tryLock(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        return acquire(nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos);
    }

    private Optional<Lease> acquire(long deadlineNanos) throws InterruptedException {
        Hold hold = holds.get(Thread.currentThread());
        if (hold != null) {
            if (!hold.lease.isHeld()) {
                throw new LockLostException(hold.lease.nodePath(), "this thread's grant was lost; unlock it first");
            }
            hold.count++;
            return Optional.of(hold.lease);
        }
        if (refused.getAsBoolean()) {
            throw new IllegalMonitorStateException(path + ": " + refusedReason);
        }
        Contender.Enqueued enqueued = contender.enqueue(prefix, new byte[0]);
        QueueNode node = enqueued.node();
        boolean granted;
        try {
            granted = contender.awaitTurn(enqueued, turn, deadlineNanos);
        } catch (InterruptedException | RuntimeException e) {
            contender.removeQuietly(node, e);
            throw e;
        }
        if (!granted) {
            contender.remove(node);
            return Optional.empty();
        }
        Lease lease = new Lease(client, path, node, contender);
        holds.put(Thread.currentThread(), new Hold(lease));
        return Optional.of(lease);
    }

    @Override
    public void unlock() {
        Thread self = Thread.currentThread();
        Hold hold = holds.get(self);
        if (hold == null) {
            throw new IllegalMonitorStateException("this thread does not hold " + path + " (" + prefix + ")");
        }
        if (--hold.count > 0) {
            return;
        }
        holds.remove(self);
        hold.lease.markReleased();
        contender.remove(hold.lease.node());
    }

    @Override
    public boolean isHeldByCurrentThread() {
        Hold hold = holds.get(Thread.currentThread());
        return hold != null && hold.lease.isHeld();
    }

    @Override
    public Optional<Lease> lease() {
        Hold hold = holds.get(Thread.currentThread());
        return hold == null ? Optional.empty() : Optional.of(hold.lease);
    }

    @Override
    public int holdCount() {
        Hold hold = holds.get(Thread.currentThread());
        return hold == null ? 0 : hold.count;
    }
}

package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A fair, re-entrant mutual exclusion lock across processes, with a fencing token per grant.
 *
 * <pre>{@code
 * DistributedMutex mutex = new DistributedMutex(client, "/locks/orders");
 * Lease lease = mutex.lock();
 * try {
 *     lease.fence().set("/orders/42", bytes, -1);   // refused with FencingException once the lock is lost
 *     storage.write(lease.token(), bytes);          // an outside resource checks the token itself
 * } finally {
 *     mutex.unlock();
 * }
 * }</pre>
 *
 * <h2>How it works, and why it is safe</h2>
 * Each acquirer creates an EPHEMERAL_SEQUENTIAL node {@code lock-<random>-<sequence>} in the lock's
 * directory (a container, created on first use: any name is fine). The holder is the node with the
 * lowest sequence; everyone else watches only the node just ahead of it, so a release wakes one
 * waiter (no herd), and the lock is granted in request order (fair). The queue is read linearizably,
 * and the watch continues from the read's revision, so no deletion in between is missed. Exclusion:
 * at any revision exactly one node is lowest, and a node is never re-inserted ahead of another
 * (sequences only grow within the directory; the directory is only recreated once empty).
 *
 * <p>The fencing token is the holder node's createRevision. The global revision grows by one per
 * committed write and is replicated through the log, so it survives leader changes and restarts.
 * Every earlier holder's node was created before this one (a node created later, in the same
 * directory, sorts after it, and the directory cannot be recreated while this node exists), so its
 * token is strictly smaller. Grants end when the node goes: {@link #unlock()}, or the end of the
 * owning session (expiry, close), which deletes it in the state machine.
 *
 * <h2>Sessions</h2>
 * <ul>
 * <li>SUSPENDED: nothing changes. The holder keeps its {@link Lease} ({@link Lease#isHeld()} stays
 *     true) since its session may be alive; it cannot tell, so unfenced work should pause. Waiters
 *     keep waiting: their watches move with the client.</li>
 * <li>RECONNECTED: the same session, so the node and the grant are still there.</li>
 * <li>LOST: the node goes with the session. {@link Lease#isHeld()} turns false at once, waiters
 *     fail with {@link LockLostException} within about 200 ms, and a re-entrant {@code lock()} on the
 *     lost grant throws it too. {@link #unlock()} still balances the holds and deletes nothing of
 *     anyone else's. A fenced write of the lost grant is refused. Call {@code lock()} again to queue
 *     with the client's new session.</li>
 * </ul>
 *
 * <h2>Re-entrancy and threads</h2>
 * Holds belong to a (mutex object, thread) pair, like {@link java.util.concurrent.locks.ReentrantLock}:
 * the thread holding it may lock again (same lease, same token) and must unlock as often. Other
 * threads, even on the same object, queue in the cluster like any other process. Two mutex objects
 * on the same path are two contenders, even in one thread. {@link #unlock()} by a thread that holds
 * nothing throws {@link IllegalMonitorStateException} and changes nothing.
 */
public final class DistributedMutex implements DistributedLock {
    static final String PREFIX = "lock-";

    private final QueuedLock lock;

    /** @param path the lock's directory, e.g. {@code /locks/orders}; created on first use */
    public DistributedMutex(Coordinator client, String path) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(path, "path");
        this.lock = new QueuedLock(client, new Contender(client, path), PREFIX, DistributedMutex::predecessor,
                () -> false, "never refused");
    }

    @Override
    public String path() {
        return lock.path();
    }

    /**
     * Waits as long as it takes for the lock (or takes it again, re-entrantly).
     *
     * @throws LockLostException     the session was lost while waiting, or a re-entrant call on a lost grant
     * @throws CoordinatorException  INVALID_PATH, TOO_LARGE (a path the members refuse; nothing created), or
     *                               a failure to reach the cluster within the request timeout (the
     *                               node is removed, best effort)
     * @throws InterruptedException  interrupted while waiting (the node is removed first)
     */
    @Override
    public Lease lock() throws InterruptedException {
        return lock.lock();
    }

    /**
     * Like {@link #lock()}, but gives up after {@code timeout} (removing its node from the queue).
     *
     * @return the lease, or empty when the lock was not granted in time
     */
    @Override
    public Optional<Lease> tryLock(Duration timeout) throws InterruptedException {
        return lock.tryLock(timeout);
    }

    /** Exclusive: the first in line goes, the others wait for the one just ahead. */
    static List<String> predecessor(List<String> queue, int index) {
        return index == 0 ? List.of() : List.of(queue.get(index - 1));
    }

    /**
     * Releases one hold of the calling thread; the last one deletes the node, which hands the lock to
     * the next in line. A lost grant is released locally (its node is already gone or going).
     *
     * @throws IllegalMonitorStateException when this thread holds no grant of this mutex
     * @throws CoordinatorException         when the node could not be deleted within the request
     *                                      timeout: the hold is given up locally all the same, and the
     *                                      client keeps deleting the node in the background while
     *                                      its session lives (the session's end removes it anyway)
     */
    @Override
    public void unlock() {
        lock.unlock();
    }

    /** True when the calling thread holds the lock and its session is still the client's. */
    @Override
    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** The calling thread's grant, if it has one (possibly lost: see {@link Lease#isHeld()}). */
    @Override
    public Optional<Lease> lease() {
        return lock.lease();
    }

    /** How many holds the calling thread has (0 when none). */
    @Override
    public int holdCount() {
        return lock.holdCount();
    }
}

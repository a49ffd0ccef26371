package io.coordinator.client.recipes;

import io.coordinator.client.CoordinatorException;

import java.time.Duration;
import java.util.Optional;

/**
 * A lock across processes whose grants are {@link Lease}s with a fencing token: {@link DistributedMutex},
 * and the two sides of a {@link DistributedReadWriteLock}. Holds belong to a (lock object, thread)
 * pair, like {@link java.util.concurrent.locks.ReentrantLock}: the holding thread may lock again (same
 * lease, same token) and must unlock as often; other threads queue in the cluster like any other
 * process.
 */
public sealed interface DistributedLock permits DistributedMutex, QueuedLock {

    /** The lock's directory. */
    String path();

    /**
     * Waits as long as it takes for the lock (or takes it again, re-entrantly).
     *
     * @throws LockLostException    the session was lost while waiting, or a re-entrant call on a lost grant
     * @throws CoordinatorException INVALID_PATH, TOO_LARGE (a path the members refuse; nothing created), or
     *                              a failure to reach the cluster within the request timeout (the node
     *                              is removed, best effort)
     * @throws InterruptedException interrupted while waiting (the node is removed first)
     */
    Lease lock() throws InterruptedException;

    /**
     * Like {@link #lock()}, but gives up after {@code timeout} (removing its node from the queue).
     *
     * @return the lease, or empty when the lock was not granted in time
     */
    Optional<Lease> tryLock(Duration timeout) throws InterruptedException;

    /**
     * Releases one hold of the calling thread; the last one deletes the node, which lets the next in
     * line in. A lost grant is released locally (its node is already gone or going).
     *
     * @throws IllegalMonitorStateException when this thread holds no grant of this lock
     * @throws CoordinatorException         when the node could not be deleted within the request
     *                                      timeout: the hold is given up locally all the same, and the
     *                                      client keeps deleting the node in the background while
     *                                      its session lives (the session's end removes it anyway)
     */
    void unlock();

    /** True when the calling thread holds the lock and its session is still the client's. */
    boolean isHeldByCurrentThread();

    /** The calling thread's grant, if it has one (possibly lost: see {@link Lease#isHeld()}). */
    Optional<Lease> lease();

    /** How many holds the calling thread has (0 when none). */
    int holdCount();
}

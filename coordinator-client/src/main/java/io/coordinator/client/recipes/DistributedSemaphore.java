package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A counting semaphore across processes: at most {@code permits} leases are held at any revision,
 * each with a fencing token, granted in request order.
 *
 * <pre>{@code
 * DistributedSemaphore slots = new DistributedSemaphore(client, "/semaphores/encoders", 3);
 * Lease permit = slots.acquire();                // or tryAcquire(Duration.ofSeconds(5))
 * try {
 *     permit.fence().set("/encoders/job-7", bytes, -1);   // refused once this permit is gone
 * } finally {
 *     slots.release(permit);
 * }
 * }</pre>
 *
 * <h2>How it works, and why at most N hold</h2>
 * Each acquirer creates an EPHEMERAL_SEQUENTIAL node {@code permit-<random>-<sequence>} in the
 * semaphore's directory (a container made on first use), exactly as {@link DistributedMutex} does,
 * and holds a permit once fewer than N nodes are ahead of it in sequence order, as of a linearizable
 * read. Once that is true it stays true until its node goes: nodes behind it cannot move ahead
 * (sequences only grow, and the directory is only recreated once empty), and nodes ahead can only
 * leave. So every holder is among the first N nodes of the queue at every revision while it holds,
 * and there are never more than N. With N = 1 this is the mutex.
 *
 * <p>A waiter watches the N nodes just ahead of it and looks again when any of them leaves. That
 * is enough: the last N nodes ahead of it stay the same while others leave further ahead, and once
 * the nodes ahead number fewer than N, one of those N has left. A release wakes at most the one
 * waiter whose turn it may be, plus the (at most N - 1) whose window moves: no herd.
 *
 * <p>Every party must use the same N for a directory: the check is made by each acquirer against
 * its own N, so one that believes in more permits can hold while N others do. The N is written into
 * each node's data (decimal) so that {@code ctl ls}/{@code ctl get} show it.
 *
 * <h2>Fencing</h2>
 * A permit's token is its node's createRevision, and {@link Lease#fence()} guards Coordinator writes
 * exactly as for the mutex: refused once that node is gone, however late the write arrives. Tokens
 * identify permits and grow with request order, but several permits are valid at once, so an outside
 * resource cannot fence with "the highest token wins" as it does for a mutex: route its writes
 * through a fenced Coordinator write, or have it ask whether the node still exists with that
 * createRevision.
 *
 * <h2>Sessions</h2>
 * As for {@link DistributedMutex}: SUSPENDED changes nothing (the holder keeps its lease, and
 * {@link Lease#isHeld()} stays true, since the session may be alive: pause unfenced work); RECONNECTED
 * is the same session, still holding; LOST ends every permit of the session ({@link Lease#isHeld()}
 * false, fenced writes refused), and waiters fail with {@link LockLostException} within about 200 ms.
 *
 * <p>Leases are not tied to threads: any thread may release one. Thread-safe.
 */
public final class DistributedSemaphore {
    static final String PREFIX = "permit-";

    private final Coordinator client;
    private final String path;
    private final int permits;
    private final Contender contender;

    /**
     * @param path    the semaphore's directory, e.g. {@code /semaphores/encoders}; created on first use
     * @param permits how many may hold at once, the same for every party; at least 1
     */
    public DistributedSemaphore(Coordinator client, String path, int permits) {
        this.client = Objects.requireNonNull(client, "client");
        this.path = Objects.requireNonNull(path, "path");
        if (permits < 1) {
            throw new IllegalArgumentException("a semaphore needs at least 1 permit: " + permits);
        }
        this.permits = permits;
        this.contender = new Contender(client, path);
    }

    public String path() {
        return path;
    }

    public int permits() {
        return permits;
    }

    /**
     * Waits as long as it takes for a permit.
     *
     * @throws LockLostException    the session was lost while waiting
     * @throws CoordinatorException INVALID_PATH, TOO_LARGE (nothing created), or the cluster unreachable
     *                              within the request timeout (the node is removed, best effort)
     * @throws InterruptedException interrupted while waiting (the node is removed first)
     */
    public Lease acquire() throws InterruptedException {
        return acquire(Long.MAX_VALUE).orElseThrow();
    }

    /** Like {@link #acquire()}, but gives up after {@code timeout} (leaving the queue). */
    public Optional<Lease> tryAcquire(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        return acquire(nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos);
    }

    private Optional<Lease> acquire(long deadlineNanos) throws InterruptedException {
        Contender.Enqueued enqueued = contender.enqueue(PREFIX, Integer.toString(permits).getBytes(StandardCharsets.UTF_8));
        QueueNode node = enqueued.node();
        boolean granted;
        try {
            granted = contender.awaitTurn(enqueued, this::window, deadlineNanos);
        } catch (InterruptedException | RuntimeException e) {
            contender.removeQuietly(node, e);
            throw e;
        }
        if (!granted) {
            contender.remove(node);
            return Optional.empty();
        }
        return Optional.of(new Lease(client, path, node, contender));
    }

    /** Holds once fewer than N are ahead; until then waits for any of the N just ahead to leave. */
    private List<String> window(List<String> queue, int index) {
        return window(queue, index, permits);
    }

    static List<String> window(List<String> queue, int index, int permits) {
        return index < permits ? List.of() : List.copyOf(queue.subList(index - permits, index));
    }

    /**
     * Gives the permit back: its node is deleted, which lets the next waiter in. Idempotent; a lost
     * permit is released locally (its node is gone or going with its session).
     *
     * @throws IllegalArgumentException when the lease is not one of this semaphore's
     * @throws CoordinatorException     when the node could not be deleted within the request timeout:
     *                                  the permit is given up locally all the same, and the client
     *                                  keeps deleting the node in the background while its session
     *                                  lives (the session's end removes it anyway)
     */
    public void release(Lease lease) {
        if (!lease.lockPath().equals(path) || !lease.nodePath().startsWith(contender.child(PREFIX))) {
            throw new IllegalArgumentException(lease + " is not a permit of " + path);
        }
        if (lease.markReleased()) {
            contender.remove(lease.node());
        }
    }
}

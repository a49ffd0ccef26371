package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A grant of a lock, a permit or leadership: the ephemeral node that stands for it and its fencing
 * token, the node's createRevision. Tokens of one lock (or semaphore, or election) grow strictly with
 * each grant, across leader changes and restarts, because the global revision does: see
 * {@link DistributedMutex} for the argument.
 *
 * <p>{@link #isHeld()} is the client's own view and may be late (a holder paused in GC does not know
 * that its session expired meanwhile). What is safe however late it arrives is a write guarded by
 * {@link #fence()}, or a token checked by the resource itself ({@link FencedResource}).
 */
public final class Lease {
    private final Coordinator client;
    private final String lockPath;
    private final QueueNode node;
    private final Contender contender;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(Coordinator client, String lockPath, QueueNode node, Contender contender) {
        this.client = client;
        this.lockPath = lockPath;
        this.node = node;
        this.contender = contender;
    }

    /** The lock (semaphore, election) directory. */
    public String lockPath() {
        return lockPath;
    }

    /** The ephemeral node that stands for this grant. */
    public String nodePath() {
        return node.path();
    }

    /** The fencing token: the node's createRevision, larger than that of every earlier grant of this lock. */
    public long token() {
        return node.createRevision();
    }

    /** The session owning the node; the grant ends with it. */
    public long sessionId() {
        return node.sessionId();
    }

    /**
     * False once released, or once the client no longer holds the owning session (LOST, or a new
     * session after it). Stays true while SUSPENDED: the session may well be alive, and whether it is
     * cannot be known from here; pause unfenced work and rely on fenced writes.
     */
    public boolean isHeld() {
        return !released.get() && contender.sessionHolds(node);
    }

    /** Guards writes with this grant's token. */
    public Fence fence() {
        return new Fence(client, node.path(), node.createRevision());
    }

    QueueNode node() {
        return node;
    }

    /** @return true the first time only */
    boolean markReleased() {
        return released.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "Lease[" + node.path() + " token=" + node.createRevision() + " session=" + node.sessionId()
                + (released.get() ? " released" : "") + "]";
    }
}

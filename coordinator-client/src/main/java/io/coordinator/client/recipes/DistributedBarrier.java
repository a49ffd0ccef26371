package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.CreateMode;

import java.time.Duration;
import java.util.Objects;

/**
 * A barrier that holds everyone back until it is removed: one party {@link #set()}s it, any number
 * {@link #await()}, and whoever {@link #remove()}s it lets them all through.
 *
 * <pre>{@code
 * DistributedBarrier start = new DistributedBarrier(client, "/barriers/migration");
 * start.set();                                  // coordinator, before the workers start
 * start.await(Duration.ofMinutes(5));           // workers: true once removed
 * start.remove();                               // coordinator: go
 * }</pre>
 *
 * <h2>How it works, and why no waiter is left behind</h2>
 * The barrier is one PERSISTENT node at {@code path}; set is its creation, remove its deletion.
 * {@link #await(Duration)} reads whether the node exists and leaves an exists watch in the same
 * request, so a removal after the read is delivered by the watch, and one before it is seen by the
 * read: a waiter never sleeps through a removal. The DELETED event itself releases the waiter, so a
 * barrier removed and at once set again still lets through everyone who was waiting for it.
 * The node is persistent on purpose: the barrier must hold even if the party that set it dies; a
 * barrier left behind by a dead coordinator is removed by hand ({@code ctl delete PATH}).
 *
 * <h2>Sessions</h2>
 * The barrier needs no session (persistent node, plain reads and watches), so SUSPENDED only delays
 * a waiter (its watch moves with the client and delivers any removal it missed, in order), and
 * RECONNECTED and LOST change nothing. Thread-safe.
 */
public final class DistributedBarrier {
    private final Coordinator client;
    private final String path;

    /** @param path the barrier node, e.g. {@code /barriers/migration}; its parents are created on {@link #set()} */
    public DistributedBarrier(Coordinator client, String path) {
        this.client = Objects.requireNonNull(client, "client");
        this.path = Objects.requireNonNull(path, "path");
    }

    public String path() {
        return path;
    }

    /**
     * Sets the barrier (creates its node, and any missing parents).
     *
     * @return true when this call set it, false when it was already set
     */
    public boolean set() {
        try {
            new Contender(client, path).ensureAncestors();
            client.create(path, new byte[0], CreateMode.PERSISTENT);
            return true;
        } catch (CoordinatorException.NodeExistsException e) {
            return false;
        }
    }

    /**
     * Removes the barrier, letting every waiter through.
     *
     * @return true when this call removed it, false when it was not set
     */
    public boolean remove() {
        try {
            client.delete(path, -1);
            return true;
        } catch (CoordinatorException.NoNodeException e) {
            return false;
        }
    }

    /** True while the barrier is set (a linearizable read). */
    public boolean isSet() {
        return client.exists(path).isPresent();
    }

    /** Waits as long as it takes for the barrier to be removed (at once when it is not set). */
    public void await() throws InterruptedException {
        NodeWait.await(client, path, false, Long.MAX_VALUE, () -> { });
    }

    /**
     * Waits up to {@code timeout} for the barrier to be removed.
     *
     * @return true when it is not set (now, or at some moment while waiting), false on timeout
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return NodeWait.await(client, path, false, NodeWait.deadline(timeout), () -> { });
    }
}

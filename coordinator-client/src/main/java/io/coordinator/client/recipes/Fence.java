package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CreateResult;
import io.coordinator.client.Ops;
import io.coordinator.client.TxnResult;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;

import java.util.Objects;

/**
 * Guards writes to Coordinator with a fencing token: each write runs as a transaction whose first
 * compare is {@code createRevision(holderNode) == token}. The holder node is the ephemeral node that
 * stands for the lock, permit or leadership; while it exists with that createRevision the grant is
 * still in force. Once it is gone (unlocked, its session expired, deleted by hand) the compare fails
 * and the write is refused with a {@link FencingException}, nothing applied.
 *
 * <p>Why this is safe however late the write arrives: the compare is evaluated by the state machine
 * at the write's own revision, in log order, on the replicated tree, not by the client. A holder
 * that paused (GC, SIGSTOP, a slow network) past the end of its session sends a write that lands
 * after the node's deletion in the log, so the compare sees the node gone. A node created later at
 * the same path (a lock directory recreated, its sequence restarted) has a different createRevision,
 * since revisions never repeat, so it cannot be mistaken for the old one.
 *
 * <pre>{@code
 * Lease lease = mutex.lock();
 * lease.fence().set("/orders/42", bytes, -1);                      // one fenced write
 * lease.fence().txn().compare(Compare.version("/cfg", EQUAL, 3))  // or any fenced transaction
 *      .then(Ops.set("/cfg", v, 3)).commit();
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class Fence {
    private final Coordinator client;
    private final String holderPath;
    private final long token;

    /**
     * @param holderPath the ephemeral node standing for the grant (for a lock: {@link Lease#nodePath()})
     * @param token      its createRevision (for a lock: {@link Lease#token()})
     */
    public Fence(Coordinator client, String holderPath, long token) {
        this.client = Objects.requireNonNull(client, "client");
        this.holderPath = Objects.requireNonNull(holderPath, "holderPath");
        if (token <= 0) {
            throw new IllegalArgumentException("a fencing token is a createRevision, > 0: " + token);
        }
        this.token = token;
    }

    public String holderPath() {
        return holderPath;
    }

    public long token() {
        return token;
    }

    /** The compare that holds exactly while the grant is in force; for building transactions by hand. */
    public Compare compare() {
        return Compare.createRevision(holderPath, Compare.Operator.EQUAL, token);
    }

    /** A transaction that also runs only while the grant is in force; finish it with {@link FencedTxn#commit()}. */
    public FencedTxn txn() {
        return new FencedTxn(client, this);
    }

    /**
     * Sets the data, if the grant is still in force.
     *
     * @throws FencingException when it is not (nothing written)
     */
    public Stat set(String path, byte[] data, int expectedVersion) {
        return txn().then(Ops.set(path, data, expectedVersion)).commit().result(0, Response.Updated.class).stat();
    }

    /** Creates a node, if the grant is still in force. @throws FencingException when it is not */
    public CreateResult create(String path, byte[] data, CreateMode mode) {
        TxnResult result = txn().then(Ops.create(path, data, mode)).commit();
        Response.Created created = result.result(0, Response.Created.class);
        return new CreateResult(created.path(), created.stat(), result.revision());
    }

    /** Deletes a node, if the grant is still in force. @throws FencingException when it is not */
    public void delete(String path, int expectedVersion) {
        txn().then(Ops.delete(path, expectedVersion)).commit();
    }

    @Override
    public String toString() {
        return "Fence[" + holderPath + " @ " + token + "]";
    }
}

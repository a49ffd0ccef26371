package io.coordinator.server.consensus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The deterministic state machine the log is applied to; implemented by the server, one instance
 * per member.
 *
 * <p>Threading: every method is called on one consensus thread, never concurrently, so an
 * implementation needs no locking against itself (it may need it against its own readers).
 *
 * <p>Lifecycle: on start the instance must be empty. The adapter then either calls
 * {@link #readSnapshot} with the latest snapshot and applies the entries after it, or applies the
 * log from the beginning. {@link #readSnapshot} may also be called on a running member (after a
 * compaction, or when it fell too far behind the leader) and must then replace the whole state.
 */
public interface LogStateMachine {

    /**
     * Applies one committed entry. Deterministic: same (index, logTimeMillis, command) and same prior
     * state give the same result and the same new state on every member. Indexes are strictly
     * increasing but not contiguous (the log also holds entries of its own). {@code logTimeMillis}
     * is stamped by the leader that appended the entry and never decreases along the log; it is the
     * only clock the state machine may use. Must not throw: an exception leaves the outcome unknown
     * to the proposer and the member's state suspect.
     */
    byte[] apply(long index, long logTimeMillis, byte[] command);

    /** Answers a read without changing state. */
    byte[] query(byte[] query);

    /** Writes the whole state. Called between two {@link #apply} calls. */
    void writeSnapshot(OutputStream out) throws IOException;

    /** Replaces the whole state with one written by {@link #writeSnapshot}. */
    void readSnapshot(InputStream in) throws IOException;

    /**
     * The state's own position after the last entry applied (the tree's revision), for the
     * adapter's log lines about role changes. Called from any thread, including the consensus
     * engine's own: must not block. -1 for a state machine that has no such number.
     */
    default long appliedRevision() {
        return -1;
    }
}

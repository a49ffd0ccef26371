package io.coordinator.server.consensus;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A replicated, durable log of opaque commands, applied in the same order on every member to a
 * {@link LogStateMachine}. The only way the server talks to the consensus engine.
 *
 * <p>Failure model: every future completes, within a bound, either normally or with a
 * {@link ConsensusException} whose {@link ConsensusException.Kind kind} says whether the command
 * may have been applied. Nothing here blocks the calling thread.
 */
public interface ReplicatedLog extends AutoCloseable {

    /**
     * Starts this member (bootstrapping the configured static membership, or recovering it from the
     * data directory) and its internal log client. Completes once the member can submit commands (a
     * leader is known and the member's log sessions are open). Until then proposals queue and may
     * time out. Completes exceptionally if the member cannot start (it is then closed: ports and
     * threads released) or is closed first. Calling it again returns the same future.
     */
    CompletableFuture<Void> start();

    /**
     * Appends one command to the log. Completes with the bytes {@link LogStateMachine#apply} returned
     * for that entry (on the leader), or exceptionally with a {@link ConsensusException}:
     * {@code UNAVAILABLE} if the command certainly never reached the log, {@code TIMEOUT} if it may
     * have (the caller must treat the outcome as unknown).
     */
    CompletableFuture<byte[]> propose(byte[] command);

    /**
     * Linearizable read: the leader confirms its leadership with a quorum and runs
     * {@link LogStateMachine#query} once it has applied everything committed before the read
     * started. Fails with {@code UNAVAILABLE} after the read timeout (for example on a member cut
     * off in a minority); it never returns a stale result.
     */
    CompletableFuture<byte[]> read(byte[] query);

    /**
     * How many proposals may usefully be in flight at once (the number of internal log sessions).
     * Callers batch many client requests into each proposal and keep at most this many outstanding;
     * more are queued, boundedly.
     */
    int maxProposalsInFlight();

    /** A snapshot of this member's view of the cluster; cheap, never blocks. */
    MemberStatus status();

    /** Takes a snapshot of the state machine now and compacts the log up to it. */
    CompletableFuture<Void> compact();

    /**
     * The engine's fast paths, by name: ways around a slow part of the underlying library that
     * depend on its internals and fall back to the library's slower way when those change. Each is
     * true while it is active. The same names on every call; empty for an engine without any.
     */
    default Map<String, Boolean> fastPaths() {
        return Map.of();
    }

    /**
     * Stops the member: fails what is pending, frees its ports and threads. Idempotent. Does not
     * say goodbye to the cluster: to the others it looks like a crash.
     */
    @Override
    void close();
}

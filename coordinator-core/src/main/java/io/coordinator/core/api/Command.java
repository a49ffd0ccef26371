package io.coordinator.core.api;

import java.util.List;
import java.util.Objects;

/**
 * What a member hands to the replicated state machine, through the log (writes, session commands)
 * or locally (reads). Time and randomness never come from the core: the leader stamps log time on
 * the entry and the proposing member supplies a session's secret.
 *
 * <p>Two kinds, and the types say who may propose which: {@link ClientCommand}s are what clients
 * send (inside a {@link Request}, the only command type a client message can carry);
 * {@link InternalCommand}s are proposed by a member's leader duties alone, never decoded from a
 * client's bytes, and the state machine refuses one that the log does not attribute to those duties
 * (see {@link Proposal}).
 */
public sealed interface Command permits Command.ClientCommand, Command.InternalCommand {

    /** True when applying the command may change state, so it must go through the log. */
    boolean isWrite();

    /** A command a client may send: tree operations, transactions and its own sessions. */
    sealed interface ClientCommand extends Command
            permits Execute, Txn, OpenSession, KeepAlive, CloseSession, CheckSession {
    }

    /**
     * A command only the leader's duties propose: it moves the log's notion of time and term for
     * every session at once, so a client that could send one could stop (or force) every expiry.
     */
    sealed interface InternalCommand extends Command permits LeaderChanged, Tick {
    }

    /** A single tree operation. */
    record Execute(Op op) implements ClientCommand {
        public Execute {
            Objects.requireNonNull(op, "op");
        }

        public boolean isWrite() {
            return op.isWrite();
        }
    }

    /**
     * If every compare holds, apply {@code then}, else apply {@code otherwise}; all or nothing, at one
     * revision. Reads inside see the writes before them in the same branch.
     */
    record Txn(List<Compare> compares, List<Op> then, List<Op> otherwise) implements ClientCommand {
        public Txn {
            compares = List.copyOf(compares == null ? List.of() : compares);
            then = List.copyOf(then == null ? List.of() : then);
            otherwise = List.copyOf(otherwise == null ? List.of() : otherwise);
        }

        public boolean isWrite() {
            return then.stream().anyMatch(Op::isWrite) || otherwise.stream().anyMatch(Op::isWrite);
        }
    }

    /**
     * Grants a session (a lease). The proposing member draws the secret (whatever a client put here
     * is replaced before the command enters the log); the state machine assigns the id.
     */
    record OpenSession(long ttlMillis, long secret) implements ClientCommand {
        public boolean isWrite() {
            return true;
        }
    }

    /**
     * Renews the listed sessions' leases as of the entry's log time. Unknown ids are skipped. It
     * carries no secret: a member lets a connection name only sessions it has proven it owns.
     */
    record KeepAlive(List<Long> sessionIds) implements ClientCommand {
        public KeepAlive {
            sessionIds = List.copyOf(sessionIds == null ? List.of() : sessionIds);
        }

        public boolean isWrite() {
            return true;
        }
    }

    /** Ends a session now: its ephemerals go, in one revision. */
    record CloseSession(long sessionId, long secret) implements ClientCommand {
        public boolean isWrite() {
            return true;
        }
    }

    /**
     * Read-only: is this session alive and is this its secret? Answered with
     * {@link Response.SessionChecked}, or Failure SESSION_EXPIRED (unknown, closed or expired) or
     * UNAUTHORIZED (wrong secret). A member serves it as a linearizable read to prove a connection's
     * claim on a session (attach) against the replicated state rather than its own possibly stale copy.
     * It renews nothing.
     */
    record CheckSession(long sessionId, long secret) implements ClientCommand {
        public boolean isWrite() {
            return false;
        }
    }

    /**
     * Proposed by a new leader before anything may expire: every live session's lease restarts
     * from this entry's log time, so time lost during the election never counts against a client.
     */
    record LeaderChanged(long term) implements InternalCommand {
        public boolean isWrite() {
            return true;
        }
    }

    /**
     * Proposed periodically by the leader: expires sessions and TTL nodes whose deadline is at or
     * before this entry's log time. A tick whose term is not the term of the last applied
     * {@link LeaderChanged} does nothing: a deposed leader's late tick must not expire anyone
     * before the new leader has restarted every lease.
     */
    record Tick(long term) implements InternalCommand {
        public boolean isWrite() {
            return true;
        }
    }
}

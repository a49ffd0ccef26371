package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Proposal;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.core.ops.Change;
import io.coordinator.core.ops.Failures;
import io.coordinator.core.ops.TreeOperations;
import io.coordinator.core.ops.TxnExecutor;
import io.coordinator.core.session.DedupWindow;
import io.coordinator.core.session.Session;
import io.coordinator.core.session.SessionTable;
import io.coordinator.core.snapshot.SnapshotFormat;
import io.coordinator.core.snapshot.SnapshotState;
import io.coordinator.core.tree.DataTree;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The replicated state machine: the tree, the sessions and the de-duplication tables. Every member
 * applies the same requests at the same indexes with the same log times and gets the same
 * responses, events and snapshots: nothing here reads a clock, draws a random number or iterates
 * an unordered collection.
 *
 * <p>Not thread-safe: one thread applies the log, and reads must not run concurrently with it.
 */
public final class CoordinatorStateMachine {

    private final Limits limits;
    private final DataTree tree;
    private final SessionTable sessions;
    private final TreeOperations ops;
    private final TxnExecutor txns;
    private long revision;
    private long lastAppliedIndex;

    public CoordinatorStateMachine(Limits limits) {
        this(limits, new SnapshotState(0, 0, new SessionTable(), new DataTree()));
    }

    private CoordinatorStateMachine(Limits limits, SnapshotState state) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.tree = state.tree();
        this.sessions = state.sessions();
        this.revision = state.revision();
        this.lastAppliedIndex = state.lastAppliedIndex();
        this.ops = new TreeOperations(tree, limits, sessions::alive);
        this.txns = new TxnExecutor(tree, ops, limits, sessions::alive);
    }

    /** Applies a client's request from a log entry: {@link #apply(Proposal, long, long)} with origin CLIENT. */
    public Applied apply(Request request, long index, long logTimeMillis) {
        return apply(Proposal.of(Objects.requireNonNull(request, "request")), index, logTimeMillis);
    }

    /**
     * Applies one item of a log entry. Several items of one batch share an index (indexes never
     * decrease). An internal command that the log does not attribute to the leader's duties (a
     * client's LeaderChanged, say) is refused with UNAUTHORIZED, and leader duties that carry a
     * client command or a session are refused with MALFORMED; either way nothing changes but the
     * applied index.
     *
     * @param logTimeMillis the time the leader stamped on the entry
     * @throws IllegalArgumentException if {@code index} is below the last applied one
     * @throws InvariantViolation       if the state turned out inconsistent (a bug: stop the member)
     */
    public Applied apply(Proposal proposal, long index, long logTimeMillis) {
        Objects.requireNonNull(proposal, "proposal");
        if (index < lastAppliedIndex) {
            throw new IllegalArgumentException("index " + index + " is below the last applied " + lastAppliedIndex);
        }
        lastAppliedIndex = index;
        Response.Failure refused = refusedOrigin(proposal);
        if (refused != null) {
            return unchanged(refused);
        }
        Command command = proposal.command();
        if (command instanceof Command.InternalCommand internal) {
            return executeInternal(internal, logTimeMillis);
        }
        Command.ClientCommand clientCommand = (Command.ClientCommand) command;
        if (!command.isWrite()) {
            return read(clientCommand);
        }
        long sessionId = proposal.sessionId();
        long sequence = proposal.sequence();
        boolean sequenced = sessionId != 0 && sequence != 0;
        if (!sequenced) {
            return execute(clientCommand, sessionId, logTimeMillis);
        }
        Session session = sessions.find(sessionId);
        if (session == null) {
            return unchanged(Failures.of(ErrorCode.SESSION_EXPIRED, "session " + sessionId + " is not alive"));
        }
        DedupWindow.Remembered remembered = session.dedup().lookup(sequence);
        if (remembered != null) {
            return new Applied(remembered.revision(), remembered.response(), List.of());
        }
        if (session.dedup().isOlderThanWindow(sequence, limits.dedupWindowPerSession())) {
            return unchanged(Failures.of(ErrorCode.BAD_ARGUMENTS, "sequence " + sequence
                    + " is older than the de-duplication window of session " + sessionId));
        }
        Applied applied = execute(clientCommand, sessionId, logTimeMillis);
        // The command may have ended the session itself (close, expiry): its window went with it.
        Session after = sessions.find(sessionId);
        if (after != null) {
            after.dedup().remember(sequence, applied.revision(), applied.response(), limits.dedupWindowPerSession());
        }
        return applied;
    }

    /** Null when the origin may propose the command; else why not. */
    private static Response.Failure refusedOrigin(Proposal proposal) {
        boolean internal = proposal.command() instanceof Command.InternalCommand;
        boolean duties = proposal.origin() == Proposal.Origin.LEADER_DUTIES;
        if (internal && !duties) {
            return Failures.of(ErrorCode.UNAUTHORIZED, proposal.command().getClass().getSimpleName()
                    + " is member-internal: only the leader's duties propose it, not a " + proposal.origin());
        }
        if (duties && !internal) {
            return Failures.of(ErrorCode.MALFORMED, "the leader's duties propose only internal commands, not "
                    + proposal.command().getClass().getSimpleName());
        }
        if (duties && (proposal.sessionId() != 0 || proposal.sequence() != 0)) {
            return Failures.of(ErrorCode.MALFORMED, "an internal command belongs to no session");
        }
        return null;
    }

    /**
     * Serves a read-only command locally (Execute of Get/Exists/Children, a Txn with only reads, or
     * CheckSession); a write gets Failure(BAD_ARGUMENTS). Never changes state.
     */
    public Applied read(Command.ClientCommand command) {
        Objects.requireNonNull(command, "command");
        if (command instanceof Command.CheckSession check) {
            return unchanged(checkSession(check));
        }
        if (command.isWrite() || !(command instanceof Command.Execute || command instanceof Command.Txn)) {
            return unchanged(Failures.of(ErrorCode.BAD_ARGUMENTS, "not a read: " + command.getClass().getSimpleName()));
        }
        Change change = new Change(revision + 1, 0);
        Response response = command instanceof Command.Execute execute
                ? ops.execute(execute.op(), change, 0)
                : txns.execute((Command.Txn) command, change, 0);
        if (tree.hasUncommittedChanges() || !change.events().isEmpty()) {
            tree.rollback();
            throw new InvariantViolation("a read changed the tree");
        }
        return unchanged(response);
    }

    /** Unknown, closed and expired look the same: their ephemerals are gone either way. */
    private Response checkSession(Command.CheckSession check) {
        Session session = sessions.find(check.sessionId());
        if (session == null) {
            return Failures.of(ErrorCode.SESSION_EXPIRED, "session " + check.sessionId() + " is not alive");
        }
        if (session.secret() != check.secret()) {
            return Failures.of(ErrorCode.UNAUTHORIZED, "wrong secret for session " + check.sessionId());
        }
        return new Response.SessionChecked(session.id(), session.ttlMillis());
    }

    private Applied execute(Command.ClientCommand command, long sessionId, long logTimeMillis) {
        if (command instanceof Command.Execute execute) {
            return changeTree(logTimeMillis, change -> ops.execute(execute.op(), change, sessionId));
        }
        if (command instanceof Command.Txn txn) {
            return changeTree(logTimeMillis, change -> txns.execute(txn, change, sessionId));
        }
        if (command instanceof Command.OpenSession open) {
            return openSession(open, logTimeMillis);
        }
        if (command instanceof Command.KeepAlive keepAlive) {
            return unchanged(new Response.KeptAlive(sessions.keepAlive(keepAlive.sessionIds(), logTimeMillis)));
        }
        if (command instanceof Command.CloseSession close) {
            return closeSession(close, logTimeMillis);
        }
        // CheckSession is a read and never gets here.
        throw new IllegalArgumentException("not a write: " + command);
    }

    private Applied executeInternal(Command.InternalCommand command, long logTimeMillis) {
        if (command instanceof Command.LeaderChanged leaderChanged) {
            sessions.leaderChanged(leaderChanged.term(), logTimeMillis);
            return unchanged(new Response.Done());
        }
        // A deposed leader's late tick must not expire anyone before the new leader renewed them all.
        Command.Tick tick = (Command.Tick) command;
        return sessions.acceptsTickOf(tick.term()) ? tick(logTimeMillis) : unchanged(new Response.Done());
    }

    private Applied openSession(Command.OpenSession open, long logTimeMillis) {
        if (open.ttlMillis() < limits.sessionTtlMillisMin() || open.ttlMillis() > limits.sessionTtlMillisMax()) {
            return unchanged(Failures.of(ErrorCode.BAD_ARGUMENTS, "session ttl " + open.ttlMillis()
                    + " ms is outside [" + limits.sessionTtlMillisMin() + ", " + limits.sessionTtlMillisMax() + "]"));
        }
        Session session = sessions.open(open.ttlMillis(), open.secret(), logTimeMillis);
        return unchanged(new Response.SessionOpened(session.id(), session.secret(), session.ttlMillis()));
    }

    private Applied closeSession(Command.CloseSession close, long logTimeMillis) {
        Session session = sessions.find(close.sessionId());
        if (session == null) {
            return unchanged(Failures.of(ErrorCode.SESSION_EXPIRED, "session " + close.sessionId() + " is not alive"));
        }
        if (session.secret() != close.secret()) {
            return unchanged(Failures.of(ErrorCode.UNAUTHORIZED, "wrong secret for session " + close.sessionId()));
        }
        Applied applied = changeTree(logTimeMillis, change -> {
            ops.deleteEphemeralsOf(close.sessionId(), change);
            return new Response.SessionClosed(close.sessionId());
        });
        sessions.remove(close.sessionId());
        return applied;
    }

    /** Session expiries first (by id, each one's ephemerals by path), then TTL nodes: all in one revision. */
    private Applied tick(long logTimeMillis) {
        List<Session> expired = sessions.expiredAt(logTimeMillis);
        Applied applied = changeTree(logTimeMillis, change -> {
            for (Session session : expired) {
                ops.deleteEphemeralsOf(session.id(), change);
            }
            ops.deleteExpiredTtlNodes(change);
            return new Response.Done();
        });
        for (Session session : expired) {
            sessions.remove(session.id());
        }
        return applied;
    }

    /**
     * Runs a tree change all or nothing: a failure rolls back every change of the command; success
     * commits them at the next revision, or at the current one when nothing changed.
     */
    private Applied changeTree(long logTimeMillis, Function<Change, Response> body) {
        Change change = new Change(revision + 1, logTimeMillis);
        Response response;
        try {
            response = body.apply(change);
        } catch (RuntimeException e) {
            tree.rollback();
            throw e;
        }
        if (response instanceof Response.Failure) {
            tree.rollback();
            return unchanged(response);
        }
        if (!tree.hasUncommittedChanges()) {
            InvariantViolation.check(change.events().isEmpty(), "events without a change to the tree");
            return unchanged(response);
        }
        InvariantViolation.check(!change.events().isEmpty(), "a change to the tree without events");
        tree.commit();
        advanceRevision(change.revision());
        List<WatchEvent> events = change.events();
        return new Applied(revision, response, events);
    }

    private void advanceRevision(long next) {
        if (next != revision + 1 || next <= 0) {
            throw new InvariantViolation("revision would move from " + revision + " to " + next);
        }
        revision = next;
    }

    private Applied unchanged(Response response) {
        return new Applied(revision, response, List.of());
    }

    public long revision() {
        return revision;
    }

    public long lastAppliedIndex() {
        return lastAppliedIndex;
    }

    /**
     * The earliest log time at which a tick could expire anything: the nearest session deadline or
     * the nearest deadline of a childless TTL node; {@link Long#MAX_VALUE} when nothing can expire.
     * The leader proposes a tick only once this has passed, so a quiet cluster writes nothing.
     * Linear in the number of sessions and TTL nodes.
     */
    public long earliestDeadlineMillis() {
        long earliest = Long.MAX_VALUE;
        for (Session session : sessions.all()) {
            earliest = Math.min(earliest, session.deadlineMillis());
        }
        return Math.min(earliest, ops.earliestTtlDeadlineMillis());
    }

    /** Sessions granted and not yet closed or expired. */
    public int liveSessions() {
        return sessions.size();
    }

    /** The term of the newest LeaderChanged applied: only ticks of this term expire anything. */
    public long leaderTerm() {
        return sessions.leaderTerm();
    }

    /** For members: is the session alive and is this its secret? */
    public boolean sessionMatches(long sessionId, long secret) {
        Session session = sessions.find(sessionId);
        return session != null && session.secret() == secret;
    }

    public boolean sessionAlive(long sessionId) {
        return sessions.alive(sessionId);
    }

    /** Checks the whole state for consistency, in time linear in its size (tests, tools). */
    public void verifyInvariants() {
        tree.verify(revision);
        tree.preOrder().forEach(node -> InvariantViolation.check(
                node.ephemeralOwner() == 0 || sessions.alive(node.ephemeralOwner()),
                "ephemeral " + node.path() + " outlived its session"));
    }

    /** Writes the whole state in the versioned format of {@link SnapshotFormat}; equal states, equal bytes. */
    public void writeSnapshot(DataOutput out) throws IOException {
        SnapshotFormat.write(out, new SnapshotState(revision, lastAppliedIndex, sessions, tree));
    }

    /** @throws IOException on a wrong magic or format version, or a truncated or inconsistent snapshot */
    public static CoordinatorStateMachine readSnapshot(DataInput in, Limits limits) throws IOException {
        return new CoordinatorStateMachine(limits, SnapshotFormat.read(in, limits.dedupWindowPerSession()));
    }
}

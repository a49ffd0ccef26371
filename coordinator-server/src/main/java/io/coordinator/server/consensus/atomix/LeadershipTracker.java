package io.coordinator.server.consensus.atomix;

import io.atomix.cluster.MemberId;
import io.atomix.protocols.raft.RaftServer;
import io.atomix.protocols.raft.cluster.RaftMember;
import io.atomix.protocols.raft.impl.PendingCommand;
import io.atomix.protocols.raft.impl.RaftContext;
import io.atomix.protocols.raft.protocol.CommandRequest;
import io.atomix.protocols.raft.session.RaftSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Watches this member's Raft role and leader, and repairs two gaps Atomix 3.1.12 leaves when a
 * member becomes leader.
 *
 * <p><b>Stale reads on a new leader.</b> Atomix answers a LINEARIZABLE query by running it on the
 * leader's state machine and then confirming leadership with a quorum. A leader that was just
 * elected may not yet have applied entries the previous leader committed (it learns they are
 * committed only once the no-op InitializeEntry of its own term commits), and Atomix does not wait
 * for that. {@link #readyForLinearizableReads()} is false until the InitializeEntry of the current
 * term is applied; the query path refuses to run before then and the reader retries.
 *
 * <p><b>Stalled sessions on a new leader.</b> The leader tracks, per log session, the highest
 * command sequence number it accepted ({@code requestSequence}); followers only learn it from
 * keep-alives. A new leader therefore often believes a session is behind and parks its next command
 * as "out of order" until the client happens to re-send it (after a 1 s back-off or a request
 * timeout). So on taking leadership, and again once it has applied everything before its term, this
 * raises every session's request sequence to the last sequence applied (what the client's next
 * keep-alive would do) and re-submits the first parked command of each session, as a client retry
 * would. All of it on the Raft thread, which owns these fields.
 *
 * <p><b>Log lines.</b> Every role change (election started, became leader, stepped down, any other)
 * and every leader learned of is one INFO line with member, term and the state machine's revision,
 * so that a member's history can be read, and dated, from its log alone. Atomix tells the role
 * listener twice about one change when a transition happens inside another (a lone member's
 * candidacy wins within the candidate's own start, and the outer transition then reports the role
 * that is current: LEADER again); the repeat is dropped, or the member would log, prime and catch up
 * twice.
 */
final class LeadershipTracker {
    private static final Logger log = LoggerFactory.getLogger(LeadershipTracker.class);

    private record LeaderMark(long term, long initializeIndex) {
    }

    private static final LeaderMark NOT_LEADER = new LeaderMark(-1, Long.MAX_VALUE);
    private static final Duration CATCH_UP_POLL_INTERVAL = Duration.ofMillis(5);
    private static final long CATCH_UP_WAIT_MILLIS_MAX = 30_000;

    private final String memberId;
    private final LongSupplier revision;
    private final Consumer<MemberId> leaderListener;
    private volatile RaftContext raft;
    private volatile LeaderMark mark = NOT_LEADER;
    /** The role and term of the last change reported; Raft thread only. */
    private RaftServer.Role lastRole = RaftServer.Role.INACTIVE;
    private long lastRoleTerm = -1;

    /**
     * @param revision       the state machine's revision, for log lines (any thread, never blocks)
     * @param leaderListener told, on the Raft thread, of every leader this member learns of
     */
    LeadershipTracker(String memberId, LongSupplier revision, Consumer<MemberId> leaderListener) {
        this.memberId = memberId;
        this.revision = revision;
        this.leaderListener = leaderListener;
    }

    void attach(RaftContext context) {
        this.raft = context;
        context.addRoleChangeListener(this::onRoleChange);
        context.addLeaderElectionListener(this::onLeaderElected);
    }

    /** True on a leader that has applied everything committed before its term; any thread. */
    boolean readyForLinearizableReads() {
        RaftContext context = raft;
        LeaderMark current = mark;
        return context != null && current.term() == context.getTerm()
                && context.getLastApplied() >= current.initializeIndex();
    }

    /** Runs on the Raft thread right after the new role started, before it handles any request. */
    private void onRoleChange(RaftServer.Role role) {
        RaftContext context = raft;
        long term = context.getTerm();
        RaftServer.Role previous = lastRole;
        if (role == previous && term == lastRoleTerm) {
            return; // the outer transition's report after a nested one: nothing changed since
        }
        lastRole = role;
        lastRoleTerm = term;
        if (role == RaftServer.Role.LEADER) {
            // LeaderRole.start() has just appended this term's InitializeEntry: it is the last entry.
            long initializeIndex = context.getLogWriter().getLastIndex();
            mark = new LeaderMark(term, initializeIndex);
            int primed = primeRequestSequences(context);
            log.info("member={} term={} revision={} became leader (was {}); initialize-index={} sessions-primed={}",
                    memberId, term, revision.getAsLong(), previous, initializeIndex, primed);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CATCH_UP_WAIT_MILLIS_MAX);
            awaitCaughtUp(context, term, initializeIndex, deadline);
            return;
        }
        mark = NOT_LEADER;
        if (previous == RaftServer.Role.LEADER) {
            log.info("member={} term={} revision={} stepped down: {} -> {}", memberId, term, revision.getAsLong(),
                    previous, role);
        } else if (role == RaftServer.Role.CANDIDATE) {
            log.info("member={} term={} revision={} started an election: {} -> {}", memberId, term,
                    revision.getAsLong(), previous, role);
        } else {
            log.info("member={} term={} revision={} role {} -> {}", memberId, term, revision.getAsLong(), previous, role);
        }
    }

    private void onLeaderElected(RaftMember leader) {
        String leaderId = leader.memberId().id();
        if (!leaderId.equals(memberId)) { // this member's own election is the "became leader" line
            log.info("member={} term={} revision={} leader is {}", memberId, raft.getTerm(), revision.getAsLong(),
                    leaderId);
        }
        leaderListener.accept(leader.memberId());
    }

    /** Raft thread: once the entries of earlier terms are applied, sequence numbers are exact. */
    private void awaitCaughtUp(RaftContext context, long term, long initializeIndex, long deadlineNanos) {
        if (context.getTerm() != term || context.getRole() != RaftServer.Role.LEADER) {
            return;
        }
        if (context.getLastApplied() >= initializeIndex) {
            int primed = primeRequestSequences(context);
            int resubmitted = resubmitParkedCommands(context);
            log.info("member={} term={} revision={} leader caught up at index {}; sessions-primed={} "
                    + "parked-commands-resubmitted={}", memberId, term, revision.getAsLong(), context.getLastApplied(),
                    primed, resubmitted);
            return;
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            log.warn("member={} term={} revision={} leader has not applied index {} within {} ms", memberId, term,
                    revision.getAsLong(), initializeIndex, CATCH_UP_WAIT_MILLIS_MAX);
            return;
        }
        context.getThreadContext().schedule(CATCH_UP_POLL_INTERVAL,
                () -> awaitCaughtUp(context, term, initializeIndex, deadlineNanos));
    }

    /** Re-submits the lowest parked command of each session; the leader then commits the run after it. */
    private static int resubmitParkedCommands(RaftContext context) {
        List<CommandRequest> lowest = new ArrayList<>();
        for (RaftSession session : context.getSessions().getSessions()) {
            CommandRequest first = null;
            for (PendingCommand parked : session.getCommands()) {
                if (first == null || parked.request().sequenceNumber() < first.sequenceNumber()) {
                    first = parked.request();
                }
            }
            if (first != null && first.sequenceNumber() <= session.getRequestSequence() + 1) {
                lowest.add(first);
            }
        }
        lowest.forEach(request -> context.getRaftRole().onCommand(request));
        return lowest.size();
    }

    private static int primeRequestSequences(RaftContext context) {
        int primed = 0;
        for (RaftSession session : context.getSessions().getSessions()) {
            long applied = session.getCommandSequence();
            if (applied > session.getRequestSequence()) {
                session.resetRequestSequence(applied);
                primed++;
            }
        }
        return primed;
    }
}

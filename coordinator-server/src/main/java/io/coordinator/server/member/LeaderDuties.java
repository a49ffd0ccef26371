package io.coordinator.server.member;

import io.coordinator.core.api.Command;
import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.consensus.ReplicatedLog;
import io.coordinator.server.pipeline.RequestPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * What only the leader does, through the log like everything else: announce a new term (so every
 * session's lease restarts before any can expire) and then tick, so that expiry is decided by the
 * state machine from leader-stamped log time rather than by any member's clock.
 *
 * <p>A tick is proposed only when something can be due: when the earliest session or TTL-node
 * deadline in the state is at or before the leader's clock (which stamps the tick's log time). An
 * idle cluster then writes no ticks at all; expiry still lags a deadline by at most one tick
 * interval. The leader's clock only decides when to ask; the state machine decides what expires.
 *
 * <p>A leader that could not run its duties for a while (a GC pause, a starved CPU, its clock
 * jumping forward) announces its term again before it ticks, which restarts every lease: clients
 * could not renew during the pause either, and a lease must not end for time nobody could use.
 * Leases then end later than their TTL, never earlier.
 */
final class LeaderDuties {
    private static final Logger log = LoggerFactory.getLogger(LeaderDuties.class);
    private static final long PAUSE_MILLIS_MIN = 1000;

    private final ReplicatedLog replicatedLog;
    private final RequestPipeline pipeline;
    private final String memberId;
    private final LongSupplier earliestDeadlineMillis;
    private final Clock clock;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final PauseDetector pauses;
    private volatile long announcedTerm = -1;

    /**
     * @param earliestDeadlineMillis the state's earliest expiry deadline in log time (MAX_VALUE: none)
     * @param clock                  the clock the leader stamps log time with
     */
    LeaderDuties(ReplicatedLog replicatedLog, RequestPipeline pipeline, String memberId,
                 LongSupplier earliestDeadlineMillis, Clock clock) {
        this.replicatedLog = replicatedLog;
        this.pipeline = pipeline;
        this.memberId = memberId;
        this.earliestDeadlineMillis = earliestDeadlineMillis;
        this.clock = clock;
        this.pauses = new PauseDetector(PAUSE_MILLIS_MIN);
    }

    /** Schedules the duties; a gap of four intervals (at least 1 s) between runs counts as a pause. */
    void schedule(ScheduledExecutorService scheduler, long tickIntervalMillis) {
        pauses.setThresholdMillis(Math.max(4 * tickIntervalMillis, PAUSE_MILLIS_MIN));
        scheduler.scheduleWithFixedDelay(this::run, tickIntervalMillis, tickIntervalMillis, TimeUnit.MILLISECONDS);
    }

    private void run() {
        long nowMillis = clock.millis();
        boolean paused = pauses.paused(nowMillis);
        MemberStatus status = replicatedLog.status();
        if (!status.isLeader()) {
            return;
        }
        long term = status.term();
        if (paused && announcedTerm == term) {
            // This member could not run (GC pause, starved CPU) or its clock jumped: clients could
            // not renew meanwhile, yet the next tick's log time would count it all against them.
            // Announce the term again, which restarts every lease, as after an election.
            announcedTerm = -1;
            log.warn("member={} term={} leader duties did not run for {} ms: restarting every lease before the next tick",
                    memberId, term, pauses.lastGapMillis());
        }
        boolean announced = term == announcedTerm;
        if (announced && earliestDeadlineMillis.getAsLong() > nowMillis) {
            return; // nothing can expire yet: keep a quiet cluster quiet
        }
        if (!busy.compareAndSet(false, true)) {
            return;
        }
        Command.InternalCommand command = announced ? new Command.Tick(term) : new Command.LeaderChanged(term);
        pipeline.submitInternal(command).whenComplete((reply, failure) -> {
            busy.set(false);
            if (failure == null && command instanceof Command.LeaderChanged
                    && !(reply.response() instanceof io.coordinator.core.api.Response.Failure)) {
                announcedTerm = term;
                log.info("member={} term={} revision={} announced leadership: every session's lease restarts now",
                        memberId, term, reply.revision());
            }
        });
    }
}

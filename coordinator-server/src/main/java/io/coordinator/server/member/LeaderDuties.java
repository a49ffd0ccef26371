package io.coordinator.server.member;

import io.coordinator.core.api.Command;
import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.consensus.ReplicatedLog;
import io.coordinator.server.pipeline.RequestPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What only the leader does, through the log like everything else: announce a new term (so every
 * session's lease restarts before any can expire) and then tick, so that expiry is decided by the
 * state machine from leader-stamped log time rather than by any member's clock.
 */
final class LeaderDuties {
    private static final Logger log = LoggerFactory.getLogger(LeaderDuties.class);

    private final ReplicatedLog replicatedLog;
    private final RequestPipeline pipeline;
    private final String memberId;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile long announcedTerm = -1;

    LeaderDuties(ReplicatedLog replicatedLog, RequestPipeline pipeline, String memberId) {
        this.replicatedLog = replicatedLog;
        this.pipeline = pipeline;
        this.memberId = memberId;
    }

    void schedule(ScheduledExecutorService scheduler, long tickIntervalMillis) {
        scheduler.scheduleWithFixedDelay(this::run, tickIntervalMillis, tickIntervalMillis, TimeUnit.MILLISECONDS);
    }

    private void run() {
        MemberStatus status = replicatedLog.status();
        if (!status.isLeader() || !busy.compareAndSet(false, true)) {
            return;
        }
        long term = status.term();
        Command.InternalCommand command = term == announcedTerm ? new Command.Tick(term) : new Command.LeaderChanged(term);
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

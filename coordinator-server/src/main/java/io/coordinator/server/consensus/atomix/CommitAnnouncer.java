package io.coordinator.server.consensus.atomix;

import io.atomix.cluster.MemberId;
import io.atomix.protocols.raft.RaftServer;
import io.atomix.protocols.raft.cluster.impl.RaftMemberContext;
import io.atomix.protocols.raft.impl.RaftContext;
import io.atomix.protocols.raft.roles.LeaderRole;
import io.atomix.protocols.raft.roles.RaftRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Tells followers a new commit index as soon as the leader has it.
 *
 * <p>atomix-raft 3.1.12's leader sends nothing when its commit index advances: a follower learns it
 * from the next AppendRequest, i.e. the next proposal's or the next heartbeat (up to a heartbeat
 * interval later when the log is idle), and applies the entry only then. So after an AppendRequest
 * is answered, once Atomix has handled the answer on the Raft thread, this sends an AppendRequest
 * (empty unless entries are waiting) to each follower that was last sent an older commit index and
 * has no AppendRequest in flight: exactly what the heartbeat timer does for it, only earlier. It
 * costs one small message per follower per commit when the log is idle, none when appends follow
 * one another (a follower with an append in flight is skipped and gets the index on that one's
 * successor or on the next nudge).
 *
 * <p>Atomix offers no public way to do this, so it calls the leader's appender by reflection (the
 * version is pinned). If that is not possible the class does nothing and followers learn the commit
 * index as before: slower, and otherwise silent but for one warning. So it is a fast path
 * ({@link #FAST_PATH}) that says whether it works: {@link #active()}, exported by the member as
 * {@code coordinator_fast_path_active{path="commit_announcer"}}.
 */
final class CommitAnnouncer {
    static final String FAST_PATH = "commit_announcer";
    private static final Logger log = LoggerFactory.getLogger(CommitAnnouncer.class);
    private static final Field APPENDER;
    private static final Method APPEND_TO_MEMBER;

    static {
        Field appender = null;
        Method appendToMember = null;
        try {
            appender = LeaderRole.class.getDeclaredField("appender");
            appender.setAccessible(true);
            appendToMember = appender.getType().getDeclaredMethod("appendEntries", RaftMemberContext.class);
            appendToMember.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot reach Atomix's leader appender ({}): followers learn commits at the next heartbeat", e.toString());
            appender = null;
            appendToMember = null;
        }
        APPENDER = appender;
        APPEND_TO_MEMBER = appendToMember;
    }

    private final Field appenderField;
    private final Method appendToMember;
    /** By follower id: the highest commit index an AppendRequest to it carried. */
    private final Map<String, Long> announced = new ConcurrentHashMap<>();
    private volatile RaftContext raft;
    private volatile boolean broken;

    CommitAnnouncer() {
        this(APPENDER, APPEND_TO_MEMBER);
    }

    /** With the leader's appender field and its {@code appendEntries} method; either null: inactive. */
    CommitAnnouncer(Field appenderField, Method appendToMember) {
        this.appenderField = appenderField;
        this.appendToMember = appendToMember;
        this.broken = appenderField == null || appendToMember == null;
    }

    void attach(RaftContext raft) {
        this.raft = raft;
    }

    /**
     * True while followers are told of commits at once: the appender was found and no call to it
     * has failed. False means the fallback (the next heartbeat) is in use, for good.
     */
    boolean active() {
        return !broken;
    }

    /** Any thread: an AppendRequest carrying this commit index is being sent to the member. */
    void sending(MemberId member, long commitIndex) {
        announced.merge(member.id(), commitIndex, Math::max);
    }

    /**
     * Any thread, after the answer to an AppendRequest was handed to Atomix (which handles it on the
     * Raft thread, ahead of the task queued here).
     */
    void answered() {
        RaftContext context = raft;
        if (broken || context == null) {
            return;
        }
        try {
            context.getThreadContext().execute(() -> announce(context));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Raft thread. */
    private void announce(RaftContext context) {
        if (broken || context.getRole() != RaftServer.Role.LEADER) {
            return;
        }
        RaftRole role = context.getRaftRole();
        if (!(role instanceof LeaderRole)) {
            return;
        }
        long commitIndex = context.getCommitIndex();
        try {
            Object appender = null;
            for (RaftMemberContext member : context.getCluster().getRemoteMemberStates()) {
                if (announced.getOrDefault(member.getMember().memberId().id(), -1L) >= commitIndex) {
                    continue;
                }
                if (appender == null) {
                    appender = appenderField.get(role);
                }
                appendToMember.invoke(appender, member);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            broken = true;
            log.warn("cannot announce commits through Atomix's leader appender ({}): followers learn them at the "
                    + "next heartbeat from now on", e.toString());
        }
    }
}

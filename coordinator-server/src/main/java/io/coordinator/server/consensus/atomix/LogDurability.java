package io.coordinator.server.consensus.atomix;

import io.atomix.protocols.raft.impl.RaftContext;
import io.atomix.protocols.raft.storage.log.RaftLogWriter;
import io.atomix.utils.concurrent.ThreadContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes log entries durable (fsync) before they count toward a commit, in every configuration.
 *
 * <p>What atomix-raft 3.1.12 does on its own, read from its source: a segment writer appends
 * ({@code StorageLevel.MAPPED}, which we use: into the mapped segment) and forces it
 * ({@code MappedByteBuffer.force()}, i.e. msync MS_SYNC) only when a segment rolls over and on
 * close. {@code RaftStorage.withFlushOnCommit(true)} does not help: {@code RaftLog.Builder} keeps
 * the flag for itself and builds its {@code SegmentedJournal} without it, so the journal's
 * {@code flushOnCommit} stays false and {@code SegmentedJournalWriter.commit} never forces. A
 * follower would acknowledge entries still in the page cache, a leader would count its own unforced
 * entries toward the quorum, and a single-member cluster would acknowledge writes that no disk has.
 *
 * <p>What this class adds, at three points, all on the Raft thread (which owns the log writer):
 * <ul>
 *   <li>a leader forces its log once it has sent an AppendRequest with entries
 *       ({@link #afterReplicating}): the force is queued on the Raft thread behind the sends to every
 *       follower, so it runs while the followers append and force, in parallel rather than in series
 *       (Raft allows it, as etcd does: what matters is that the leader counts itself toward a quorum
 *       only once its copy is durable, which the third point below guarantees);</li>
 *   <li>a follower forces its log before acknowledging an AppendRequest with entries
 *       ({@link #beforeAcknowledging});</li>
 *   <li>a leader forces its log before its commit index moves over entries it has not forced
 *       ({@link #beforeLeaderCommits}, called by {@link DurableRaftContext}). This is what makes a
 *       single-member cluster durable: its leader commits without sending anything to anyone. In
 *       larger clusters the two points above have already forced, so this one costs a comparison.</li>
 * </ul>
 * Term and vote are forced by Atomix's MetaStore itself.
 *
 * <p>{@link #forces()} and {@link #durableIndex()} are there to prove it: a test counts forces per
 * acknowledged write and checks that every acknowledged entry is on a majority's disk.
 */
final class LogDurability {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private volatile RaftContext raft;
    /**
     * Highest index known forced on the leader path (replicate, commit), to skip forcing again; -1
     * after a follower force, because a follower may have truncated and re-appended since. Raft
     * thread only.
     */
    private long leaderForcedIndex = -1;
    /** The writer's last index as of the most recent force. */
    private final AtomicLong durableIndex = new AtomicLong();
    private final AtomicLong forces = new AtomicLong();

    void attach(RaftContext raft) {
        this.raft = raft;
    }

    /**
     * Leader: entries were just handed to the transport for a follower. Queues one force on the Raft
     * thread, after the task that is sending them to every follower; it does nothing when an earlier
     * one already forced up to the log's end. A failure is left to {@link #beforeLeaderCommits},
     * which forces again before anything is committed.
     */
    void afterReplicating() {
        RaftContext context = raft;
        if (context == null) {
            return;
        }
        try {
            context.getThreadContext().execute(() -> force(context, false));
        } catch (RejectedExecutionException e) {
            // closing: nothing more is committed
        }
    }

    /** Follower: entries were appended and are about to be acknowledged. */
    CompletableFuture<Void> beforeAcknowledging() {
        return onRaftThread(true);
    }

    /**
     * Raft thread, leader only: the commit index is about to move to {@code commitIndex}. Forces the
     * log unless the replication path has already forced past it (with followers it always has: a
     * follower acknowledges only what it was sent). A follower needs nothing here: what it commits,
     * a majority has already forced, and it forces before it acknowledges anything.
     */
    void beforeLeaderCommits(RaftContext context, long commitIndex) {
        RaftLogWriter writer = context.getLogWriter();
        if (Math.min(commitIndex, writer.getLastIndex()) > leaderForcedIndex) {
            forceNow(writer, true);
        }
    }

    /** How many times this member forced its log. */
    long forces() {
        return forces.get();
    }

    /** The log's last index as of the most recent force: every entry up to it is on disk. */
    long durableIndex() {
        return durableIndex.get();
    }

    private CompletableFuture<Void> onRaftThread(boolean follower) {
        RaftContext context = raft;
        if (context == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("log is not open"));
        }
        ThreadContext thread = context.getThreadContext();
        if (thread.isCurrentContext()) {
            return force(context, follower);
        }
        CompletableFuture<Void> forced = new CompletableFuture<>();
        try {
            thread.execute(() -> force(context, follower).whenComplete((ignored, error) -> {
                if (error == null) {
                    forced.complete(null);
                } else {
                    forced.completeExceptionally(error);
                }
            }));
        } catch (RejectedExecutionException e) {
            forced.completeExceptionally(e);
        }
        return forced;
    }

    private CompletableFuture<Void> force(RaftContext context, boolean follower) {
        try {
            RaftLogWriter writer = context.getLogWriter();
            if (follower || writer.getLastIndex() != leaderForcedIndex) {
                forceNow(writer, !follower);
            }
            return DONE;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void forceNow(RaftLogWriter writer, boolean leaderPath) {
        long lastIndex = writer.getLastIndex();
        writer.flush();
        forces.incrementAndGet();
        durableIndex.set(lastIndex);
        leaderForcedIndex = leaderPath ? lastIndex : -1;
    }
}

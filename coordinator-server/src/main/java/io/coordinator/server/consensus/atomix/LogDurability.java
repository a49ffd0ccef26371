package io.coordinator.server.consensus.atomix;

import io.atomix.protocols.raft.impl.RaftContext;
import io.atomix.protocols.raft.storage.log.RaftLogWriter;
import io.atomix.utils.concurrent.ThreadContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Makes log entries durable (fsync) before they count toward a commit.
 *
 * <p>What atomix-raft 3.1.12 does on its own, read from its source: a segment writer appends
 * ({@code StorageLevel.MAPPED}, which we use: into the mapped segment; {@code DISK}: with
 * {@code FileChannel.write}) and forces it ({@code MappedByteBuffer.force()}, i.e. msync MS_SYNC;
 * {@code FileChannel.force}) only when a segment rolls over, on close, and, if {@code flushOnCommit}
 * is set, in
 * {@code SegmentedJournalWriter.commit}, i.e. when this member's commit index advances. That is
 * after the fact: a follower acknowledges an AppendRequest while its entries are still in the page
 * cache, and a leader counts its own unforced entries toward the quorum. ({@code RaftLog} keeps a
 * flushOnCommit flag of its own that nothing reads.) So flushOnCommit alone does not give "fsync
 * before commit": after a power loss a majority could forget an acknowledged write.
 *
 * <p>What this class adds: the leader forces its log before an AppendRequest with entries leaves
 * (a follower can only acknowledge entries it was sent, so the leader's own copy is durable before
 * any quorum including it forms), and a follower forces its log before acknowledging an
 * AppendRequest with entries. {@code flushOnCommit} stays on for the single-member case, where the
 * leader commits without sending anything. Term and vote are forced by Atomix's MetaStore itself.
 *
 * <p>Forcing runs on the Raft thread, which owns the log writer.
 */
final class LogDurability {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private volatile RaftContext raft;
    /** Last index forced by the leader path, to skip forcing again for the next follower. Raft thread only. */
    private long leaderForcedIndex = -1;

    void attach(RaftContext raft) {
        this.raft = raft;
    }

    /** Leader: entries are about to be sent to a follower. */
    CompletableFuture<Void> beforeReplicating() {
        return onRaftThread(false);
    }

    /** Follower: entries were appended and are about to be acknowledged. */
    CompletableFuture<Void> beforeAcknowledging() {
        return onRaftThread(true);
    }

    private CompletableFuture<Void> onRaftThread(boolean always) {
        RaftContext context = raft;
        if (context == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("log is not open"));
        }
        ThreadContext thread = context.getThreadContext();
        if (thread.isCurrentContext()) {
            return force(context, always);
        }
        CompletableFuture<Void> forced = new CompletableFuture<>();
        try {
            thread.execute(() -> force(context, always).whenComplete((ignored, error) -> {
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

    private CompletableFuture<Void> force(RaftContext context, boolean always) {
        try {
            RaftLogWriter writer = context.getLogWriter();
            long lastIndex = writer.getLastIndex();
            if (always || lastIndex != leaderForcedIndex) {
                writer.flush();
                // A follower may have truncated and re-appended: make the leader path force again.
                leaderForcedIndex = always ? -1 : lastIndex;
            }
            return DONE;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}

package io.coordinator.server.consensus.atomix;

import io.atomix.cluster.ClusterMembershipService;
import io.atomix.cluster.MemberId;
import io.atomix.primitive.PrimitiveTypeRegistry;
import io.atomix.protocols.raft.RaftServer;
import io.atomix.protocols.raft.protocol.RaftServerProtocol;
import io.atomix.protocols.raft.storage.RaftStorage;
import io.atomix.utils.concurrent.ThreadContextFactory;
import io.atomix.protocols.raft.impl.RaftContext;

/**
 * Atomix's {@link RaftContext} with one change: a leader forces its log before its commit index
 * moves over unforced entries. Entries are applied (and so answered) only after
 * {@link #setCommitIndex}, so no leader acknowledges a write its own disk does not hold, even with no
 * follower to replicate to; see
 * {@link LogDurability} for why Atomix's own flushOnCommit does not do this.
 */
final class DurableRaftContext extends RaftContext {
    /** Null while the superclass constructor runs: nothing is committed then. */
    private final LogDurability durability;

    DurableRaftContext(String name, MemberId localMemberId, ClusterMembershipService membershipService,
                       RaftServerProtocol protocol, RaftStorage storage, PrimitiveTypeRegistry primitiveTypes,
                       ThreadContextFactory threadContextFactory, LogDurability durability) {
        super(name, localMemberId, membershipService, protocol, storage, primitiveTypes, threadContextFactory, true);
        this.durability = durability;
    }

    @Override
    public long setCommitIndex(long commitIndex) {
        if (durability != null && commitIndex > getCommitIndex() && getRole() == RaftServer.Role.LEADER) {
            durability.beforeLeaderCommits(this, commitIndex);
        }
        return super.setCommitIndex(commitIndex);
    }
}

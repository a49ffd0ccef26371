package io.coordinator.server.consensus.atomix;

import io.atomix.cluster.ClusterMembershipEvent;
import io.atomix.cluster.ClusterMembershipEventListener;
import io.atomix.cluster.ClusterMembershipService;
import io.atomix.cluster.Member;
import io.atomix.cluster.MemberId;
import io.atomix.utils.net.Address;
import io.coordinator.server.consensus.ConsensusConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The fixed membership Atomix's Raft roles ask about. Its one active part: {@link #reportDown}
 * raises MEMBER_REMOVED, on which a follower whose leader that is stops waiting for its election
 * timeout and polls for a new leader at once. (A leader, on MEMBER_REMOVED, expires the log
 * sessions owned by that member id; ours are owned by the {@code -client} ids, which are never
 * reported, so nothing is expired that way.)
 */
final class StaticMembershipService implements ClusterMembershipService {
    private final Member local;
    private final Map<MemberId, Member> members = new LinkedHashMap<>();
    private final Set<ClusterMembershipEventListener> listeners = new CopyOnWriteArraySet<>();

    StaticMembershipService(ConsensusConfig config) {
        config.members().forEach((id, address) -> {
            ConsensusConfig.Address parsed = ConsensusConfig.parseAddress(id, address);
            MemberId memberId = MemberId.from(id);
            members.put(memberId, Member.member(memberId, Address.from(parsed.host(), parsed.port())));
        });
        this.local = members.get(MemberId.from(config.memberId()));
    }

    /** Tells the Raft roles that a member's process is gone. */
    void reportDown(String memberId) {
        Member member = members.get(MemberId.from(memberId));
        if (member != null && !member.equals(local)) {
            ClusterMembershipEvent event = new ClusterMembershipEvent(ClusterMembershipEvent.Type.MEMBER_REMOVED, member);
            listeners.forEach(listener -> listener.event(event));
        }
    }

    @Override
    public Member getLocalMember() {
        return local;
    }

    @Override
    public Set<Member> getMembers() {
        return Set.copyOf(members.values());
    }

    @Override
    public Member getMember(MemberId memberId) {
        return members.get(memberId);
    }

    @Override
    public void addListener(ClusterMembershipEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ClusterMembershipEventListener listener) {
        listeners.remove(listener);
    }
}

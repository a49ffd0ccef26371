package io.coordinator.server.consensus;

import java.util.Objects;

/**
 * One member's view of the cluster at one instant.
 *
 * @param memberId    this member
 * @param role        this member's Raft role
 * @param term        the current term as this member knows it
 * @param leaderId    the leader this member follows, or {@code null} if it knows none
 * @param commitIndex the highest log index this member knows to be committed
 * @param lastApplied the highest log index this member has applied to its state machine
 */
public record MemberStatus(String memberId, Role role, long term, String leaderId, long commitIndex,
                           long lastApplied) {

    public enum Role { LEADER, CANDIDATE, FOLLOWER, PASSIVE, PROMOTABLE, INACTIVE }

    public MemberStatus {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(role, "role");
    }

    public static MemberStatus inactive(String memberId) {
        return new MemberStatus(memberId, Role.INACTIVE, 0, null, 0, 0);
    }

    public boolean isLeader() {
        return role == Role.LEADER;
    }
}

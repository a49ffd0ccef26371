package io.coordinator.protocol.message;

/**
 * One member's own view of itself.
 *
 * @param role      LEADER, FOLLOWER, CANDIDATE, ... as the consensus engine reports it
 * @param leaderId  the member it believes leads, or null
 * @param revision  the revision of its local state
 */
public record MemberStatus(String memberId, String role, long term, String leaderId, long commitIndex,
                           long lastApplied, long revision, String clientAddress) {
}

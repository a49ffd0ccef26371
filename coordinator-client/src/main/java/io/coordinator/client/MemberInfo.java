package io.coordinator.client;

import io.coordinator.protocol.message.MemberStatus;

import java.util.List;

/**
 * A member's answer to a status query.
 *
 * @param endpoint the address the query went to
 * @param self     the member's view of itself
 * @param members  every configured member as it sees them
 */
public record MemberInfo(Endpoint endpoint, MemberStatus self, List<String> members) {
    public MemberInfo {
        members = List.copyOf(members);
    }
}

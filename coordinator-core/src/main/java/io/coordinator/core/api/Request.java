package io.coordinator.core.api;

import java.util.Objects;

/**
 * What a client asks for: a client command with the identity that makes it idempotent. A write
 * carrying a session id and a sequence is applied at most once; a retry is answered with the first
 * result. It can hold only a {@link Command.ClientCommand}: member-internal commands never travel
 * in a client's request (see {@link Proposal}).
 *
 * @param sessionId 0 when the command is not sent on behalf of a session
 * @param sequence  per-session, increasing; 0 for "no de-duplication"
 */
public record Request(long sessionId, long sequence, Command.ClientCommand command) {
    public Request {
        Objects.requireNonNull(command, "command");
    }

    public static Request of(Command.ClientCommand command) {
        return new Request(0, 0, command);
    }
}

package io.coordinator.core.api;

import java.util.Objects;

/**
 * A command with the identity that makes it idempotent: a write carrying a session id and a
 * sequence is applied at most once; a retry is answered with the first result.
 *
 * @param sessionId 0 when the command is not sent on behalf of a session
 * @param sequence  per-session, increasing; 0 for "no de-duplication"
 */
public record Request(long sessionId, long sequence, Command command) {
    public Request {
        Objects.requireNonNull(command, "command");
    }

    public static Request of(Command command) {
        return new Request(0, 0, command);
    }
}

package io.coordinator.core.api;

import java.util.Objects;

/**
 * One item of a log entry as the state machine sees it: a command, the session identity it was
 * sent with, and who proposed it. The origin comes from the framing of the log entry, which a
 * member writes (a client's bytes go inside it, never around it), so a client cannot claim to be
 * the leader's duties. The state machine applies only the pairings that can be legitimate:
 * {@link Origin#CLIENT} with a {@link Command.ClientCommand}, and {@link Origin#LEADER_DUTIES}
 * with an {@link Command.InternalCommand} and no session; it refuses anything else with a failure,
 * the same way on every member, and changes nothing.
 */
public record Proposal(Origin origin, long sessionId, long sequence, Command command) {

    /** Who put the command into the log. */
    public enum Origin {
        /** A client's request, as the client encoded it. */
        CLIENT,
        /** The leader's own duties: announcing a term, ticking time forward. */
        LEADER_DUTIES
    }

    public Proposal {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(command, "command");
    }

    public static Proposal of(Request request) {
        return new Proposal(Origin.CLIENT, request.sessionId(), request.sequence(), request.command());
    }

    public static Proposal duty(Command.InternalCommand command) {
        return new Proposal(Origin.LEADER_DUTIES, 0, 0, command);
    }
}

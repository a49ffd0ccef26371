package io.coordinator.server.consensus;

import java.util.Objects;

/** Why a proposal or a read did not succeed, and whether it may still have taken effect. */
public final class ConsensusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Certainly not applied: the command never reached the log. Safe to retry. */
        UNAVAILABLE,
        /** Outcome unknown: the command may or may not have been (or still be) applied. */
        TIMEOUT
    }

    private final Kind kind;

    public ConsensusException(Kind kind, String message) {
        this(kind, message, null);
    }

    public ConsensusException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public static ConsensusException unavailable(String message) {
        return new ConsensusException(Kind.UNAVAILABLE, message);
    }

    public static ConsensusException timeout(String message, Throwable cause) {
        return new ConsensusException(Kind.TIMEOUT, message, cause);
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return "ConsensusException[" + kind + "]: " + getMessage();
    }
}

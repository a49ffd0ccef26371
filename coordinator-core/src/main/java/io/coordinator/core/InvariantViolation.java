package io.coordinator.core;

/**
 * Thrown when the state machine finds its own state inconsistent (a bug, or a corrupt snapshot),
 * never for a bad request: those are {@link io.coordinator.core.api.Response.Failure} values. A
 * member that sees one must stop applying, since its state may differ from the other members'.
 */
public final class InvariantViolation extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public InvariantViolation(String message) {
        super(message);
    }

    /** Throws unless {@code condition} holds. */
    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new InvariantViolation(message);
        }
    }
}

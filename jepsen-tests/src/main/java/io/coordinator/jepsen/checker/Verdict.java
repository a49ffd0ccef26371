package io.coordinator.jepsen.checker;

/** A checker's answer. {@link #VALID} only when the check ran to its end. */
public enum Verdict {
    VALID,
    INVALID,
    /** The check stopped at its time or memory bound before it could decide. */
    UNKNOWN;

    /** The worse of two verdicts for one history made of parts: invalid over unknown over valid. */
    public Verdict and(Verdict other) {
        if (this == INVALID || other == INVALID) {
            return INVALID;
        }
        return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : VALID;
    }

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

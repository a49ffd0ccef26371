package io.coordinator.jepsen.checker;

/** How an operation ended, as its completion event's {@code type} says. */
public enum Outcome {
    /** {@code ok}: it happened, and the completion's value is what it observed. */
    OK,
    /** {@code fail}: it did not happen (for a compare-and-set: the compare did not match). */
    FAIL,
    /** {@code info}, or no completion at all: it may or may not have happened, at any time after its invocation. */
    UNKNOWN
}

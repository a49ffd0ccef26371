package io.coordinator.jepsen.bench;

/**
 * One system's lock and election, as {@link RecipeBench} drives them: every call blocks until done,
 * so the bench times exactly one acquire+release or one handover.
 */
interface RecipeTarget extends AutoCloseable {
    /** Takes the lock uncontended and releases it. */
    void lockAndUnlock() throws Exception;

    /**
     * With one candidate leading and a second one waiting, the leader resigns; returns the
     * nanoseconds until the second one knows it leads (the second then leads the next round).
     */
    long handover() throws Exception;

    /** The library and the calls measured, for the report. */
    String describe();
}

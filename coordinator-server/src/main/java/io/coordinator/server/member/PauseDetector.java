package io.coordinator.server.member;

/**
 * Notices when a periodic task did not run for longer than a threshold: the gap between two
 * consecutive calls of {@link #paused}, by the clock the caller passes (so a clock jumping forward
 * counts as a pause too). Not thread-safe: one scheduler thread calls it.
 */
final class PauseDetector {
    private long thresholdMillis;
    private long lastMillis = Long.MIN_VALUE;
    private long lastGapMillis;

    PauseDetector(long thresholdMillis) {
        setThresholdMillis(thresholdMillis);
    }

    void setThresholdMillis(long thresholdMillis) {
        if (thresholdMillis <= 0) {
            throw new IllegalArgumentException("thresholdMillis must be positive: " + thresholdMillis);
        }
        this.thresholdMillis = thresholdMillis;
    }

    /** Records a run at {@code nowMillis}; true when it came more than the threshold after the previous one. */
    boolean paused(long nowMillis) {
        long previous = lastMillis;
        lastMillis = nowMillis;
        if (previous == Long.MIN_VALUE) {
            return false;
        }
        lastGapMillis = nowMillis - previous;
        return lastGapMillis > thresholdMillis;
    }

    /** The gap before the latest run, in milliseconds. */
    long lastGapMillis() {
        return lastGapMillis;
    }
}

package io.coordinator.core;

/** Arithmetic on leader-stamped log time. */
public final class LogTime {

    private LogTime() {
    }

    /** {@code startMillis + durationMillis}, saturating instead of wrapping on overflow. */
    public static long deadline(long startMillis, long durationMillis) {
        long sum = startMillis + durationMillis;
        if (((startMillis ^ sum) & (durationMillis ^ sum)) < 0) {
            return startMillis < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }
}

package io.coordinator.jepsen.bench;

import java.util.Arrays;

/** Keeps every latency of one run (bounded) and reports percentiles exactly, not from buckets. */
final class LatencyRecorder {
    private static final int SAMPLES_MAX = 20_000_000;
    private static final long SLOW_NANOS = 1_000_000_000L;

    private long[] samples = new long[1 << 16];
    private int count;
    private long total;
    private long overOneSecond;

    synchronized void record(long nanos) {
        total++;
        if (nanos > SLOW_NANOS) {
            overOneSecond++;
        }
        if (count == SAMPLES_MAX) {
            return;
        }
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, Math.min(SAMPLES_MAX, samples.length * 2));
        }
        samples[count++] = nanos;
    }

    synchronized Summary summarize(double seconds) {
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        return new Summary(total, total / seconds, percentile(sorted, 50), percentile(sorted, 99),
                percentile(sorted, 99.9), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, overOneSecond);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    /** Latencies in milliseconds. */
    record Summary(long operations, double throughput, double p50, double p99, double p999, double max,
                   long overOneSecond) {
    }
}

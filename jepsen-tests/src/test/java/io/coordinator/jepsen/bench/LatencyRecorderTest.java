package io.coordinator.jepsen.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencyRecorderTest {
    @Test
    void percentilesAreExactNearestRankAndRequestsOverOneSecondAreCounted() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int ms = 1; ms <= 1000; ms++) {
            recorder.record(ms * 1_000_000L);
        }
        recorder.record(1_500_000_000L);

        LatencyRecorder.Summary summary = recorder.summarize(2.0);

        assertEquals(1001, summary.operations());
        assertEquals(500.5, summary.throughput(), 1e-9);
        assertEquals(501.0, summary.p50(), 1e-9);
        assertEquals(991.0, summary.p99(), 1e-9);
        assertEquals(1000.0, summary.p999(), 1e-9);
        assertEquals(1500.0, summary.max(), 1e-9);
        assertEquals(1, summary.overOneSecond());
    }
}

package io.coordinator.server.member;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "A leader that could not run its duties for a while restarts every lease before it ticks." */
class PauseDetectorTest {
    @Test
    void regularRunsAreNoPauseAndTheFirstRunIsNone() {
        PauseDetector detector = new PauseDetector(1000);
        assertFalse(detector.paused(5_000));
        for (long t = 5_250; t <= 10_000; t += 250) {
            assertFalse(detector.paused(t));
        }
    }

    @Test
    void aGapBeyondTheThresholdIsAPauseOnce() {
        PauseDetector detector = new PauseDetector(1000);
        detector.paused(0);
        assertFalse(detector.paused(1000), "exactly the threshold is not a pause");
        assertTrue(detector.paused(2001));
        assertEquals(1001, detector.lastGapMillis());
        assertFalse(detector.paused(2251), "the next regular run is not");
    }

    @Test
    void aClockJumpingForwardCountsAsAPause() {
        PauseDetector detector = new PauseDetector(1000);
        detector.paused(1_000);
        assertTrue(detector.paused(61_000));
    }

    @Test
    void theThresholdMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new PauseDetector(0));
    }
}

package io.coordinator.client.impl;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one back-off policy: capped exponential, jittered in the upper half of each ceiling. */
class BackoffTest {

    @Test
    void theCeilingDoublesPerRetryFromTheBaseUpToTheCap() {
        Backoff backoff = new Backoff(20, 1_000, new Random(1));
        assertEquals(20, backoff.ceilingMillis(0));
        assertEquals(40, backoff.ceilingMillis(1));
        assertEquals(80, backoff.ceilingMillis(2));
        assertEquals(640, backoff.ceilingMillis(5));
        assertEquals(1_000, backoff.ceilingMillis(6));
        assertEquals(1_000, backoff.ceilingMillis(1_000_000), "no overflow however many retries");
        assertEquals(Long.MAX_VALUE, new Backoff(3, Long.MAX_VALUE, new Random(1)).ceilingMillis(200));
    }

    @Test
    void everyPauseLiesInTheUpperHalfOfItsCeilingAndNeverPastTheCap() {
        Backoff backoff = new Backoff(20, 1_000, new Random(7));
        for (int retry = 0; retry < 40; retry++) {
            long ceiling = backoff.ceilingMillis(retry);
            for (int i = 0; i < 2_000; i++) {
                long delay = backoff.delayMillis(retry);
                assertTrue(delay >= ceiling / 2 && delay <= ceiling,
                        "retry " + retry + ": " + delay + " outside [" + ceiling / 2 + ", " + ceiling + "]");
                assertTrue(delay <= 1_000);
            }
        }
    }

    @Test
    void theJitterSpreadsOverTheWholeRangeSoClientsDoNotRetryInStep() {
        Backoff backoff = new Backoff(100, 100, new Random(3));
        Set<Long> seen = new HashSet<>();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 5_000; i++) {
            long d = backoff.delayMillis(0);
            seen.add(d);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertEquals(50, min, "reaches the bottom of the range");
        assertEquals(100, max, "reaches the top of the range");
        assertTrue(seen.size() > 45, "spread over the range: " + seen.size() + " distinct values");
    }

    @Test
    void theSameSeedGivesTheSamePauses() {
        Backoff a = new Backoff(20, 1_000, new Random(42));
        Backoff b = new Backoff(20, 1_000, new Random(42));
        for (int retry = 0; retry < 20; retry++) {
            assertEquals(a.delayMillis(retry), b.delayMillis(retry));
        }
    }

    @Test
    void aOneMillisecondBaseNeverPausesZero() {
        Backoff backoff = new Backoff(1, 1, new Random(5));
        for (int i = 0; i < 100; i++) {
            assertEquals(1, backoff.delayMillis(0));
        }
    }

    @Test
    void badBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10, new Random()));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(20, 10, new Random()));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(20, 1_000, null));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(20, 1_000, new Random()).delayMillis(-1));
    }
}

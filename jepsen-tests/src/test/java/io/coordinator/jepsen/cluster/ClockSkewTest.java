package io.coordinator.jepsen.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A process started with {@link ClockSkew#environment} reads this host's wall clock plus the offset set
 * for its member, and only its member's. Needs libfaketime, which {@code bin/test} installs as root.
 */
class ClockSkewTest {
    /** The wall clock a process of {@code member} reads, in epoch seconds, minus this JVM's. */
    private static long skewSeenBy(ClockSkew clocks, String member) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of("date", "+%s")).redirectErrorStream(true);
        builder.environment().putAll(clocks.environment(member));
        long before = System.currentTimeMillis() / 1000;
        Process date = builder.start();
        assertTrue(date.waitFor(10, TimeUnit.SECONDS), "date did not finish");
        String out = new String(date.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        long after = System.currentTimeMillis() / 1000;
        long seen = Long.parseLong(out);
        // The process read its clock between before and after: report the offset from the nearer end.
        return seen < before ? seen - before : seen > after ? seen - after : 0;
    }

    @Test
    void aMemberReadsTheHostsClockPlusItsOwnOffsetOnly(@TempDir Path dir) throws Exception {
        assumeTrue(ClockSkew.library().isPresent(), "libfaketime is not installed (apt-get install faketime)");
        ClockSkew clocks = ClockSkew.in(dir);
        long start = skewSeenBy(clocks, "m1");
        assertTrue(Math.abs(start) <= 1, "unskewed at first: " + start);

        clocks.set("m1", Duration.ofSeconds(300));
        clocks.set("m2", Duration.ofSeconds(-120));
        long m1 = skewSeenBy(clocks, "m1");
        long m2 = skewSeenBy(clocks, "m2");
        long m3 = skewSeenBy(clocks, "m3");
        assertTrue(m1 >= 299 && m1 <= 301, "m1 +300 s: " + m1);
        assertTrue(m2 >= -121 && m2 <= -119, "m2 -120 s: " + m2);
        assertTrue(Math.abs(m3) <= 1, "m3 untouched: " + m3);

        clocks.set("m1", Duration.ZERO);
        long healed = skewSeenBy(clocks, "m1");
        assertTrue(Math.abs(healed) <= 1, "m1 back: " + healed);
    }
}

package io.coordinator.server.consensus.atomix;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * "Each fast path finds the Atomix internals it needs in the Atomix on the classpath, and one that
 * does not find them says so." Without a cluster: what a running member reports is checked by
 * ConsensusFastPathsTest.
 */
class FastPathsTest {

    @Test
    void theInternalsEveryFastPathNeedsAreThere() {
        assertEquals(Map.of("commit_announcer", true, "compactor", true),
                FastPaths.report(new CommitAnnouncer(), new Compactor("m1", () -> 0)));
    }

    @Test
    void aFastPathWithoutItsInternalsReportsInactive() {
        assertEquals(Map.of("commit_announcer", false, "compactor", false),
                FastPaths.report(new CommitAnnouncer(null, null), new Compactor("m1", () -> 0, null)));
    }
}

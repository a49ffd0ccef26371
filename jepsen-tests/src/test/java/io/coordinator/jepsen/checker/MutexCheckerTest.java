package io.coordinator.jepsen.checker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The lock model: no two holders, releases by the holder, fencing tokens rising across grants. */
class MutexCheckerTest {
    private static final MutexModel MUTEX = new MutexModel();

    private static LinearizabilityChecker.Result check(String events) {
        return new LinearizabilityChecker<>(MUTEX).check(Histories.of(MUTEX, events), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    @Test
    void holdersTakeTurnsWithRisingTokens() {
        assertEquals(Verdict.VALID, check("""
                1 invoke acquire null
                2 invoke acquire null
                1 ok acquire 7
                1 invoke release null
                1 ok release null
                2 ok acquire 8
                2 invoke release null
                2 ok release null
                """).verdict());
    }

    @Test
    void aDoubleGrantIsRejected() {
        LinearizabilityChecker.Result result = check("""
                1 invoke acquire null
                1 ok acquire 7
                2 invoke acquire null
                2 ok acquire 8
                1 invoke release null
                1 ok release null
                """);
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(List.of(1L, 3L), result.counterexample().stream().map(Operation::callLine).toList());
    }

    @Test
    void aGrantWhileAReleaseIsInFlightIsFine() {
        assertEquals(Verdict.VALID, check("""
                1 invoke acquire null
                1 ok acquire 7
                1 invoke release null
                2 invoke acquire null
                2 ok acquire 8
                1 ok release null
                """).verdict());
    }

    @Test
    void aTokenNotAboveTheLastGrantsIsRejected() {
        assertEquals(Verdict.INVALID, check("""
                1 invoke acquire null
                1 ok acquire 7
                1 invoke release null
                1 ok release null
                2 invoke acquire null
                2 ok acquire 7
                """).verdict());
    }

    @Test
    void anAcquireWithUnknownOutcomeMayHoldTheLockForever() {
        String history = """
                1 invoke acquire null
                1 info acquire null
                2 invoke acquire null
                2 ok acquire 8
                """;
        assertEquals(Verdict.VALID, check(history).verdict());
        // 1's release succeeds while 2 still holds the lock: 1's acquire cannot have taken effect
        // before 2's grant (two holders) nor after it (held), so 1 never held it.
        assertEquals(Verdict.INVALID, check(history + """
                1 invoke release null
                1 ok release null
                """).verdict());
        // Once 2 released, 1's acquire may take effect late, and then 1 may release.
        assertEquals(Verdict.VALID, check(history + """
                2 invoke release null
                2 ok release null
                1 invoke release null
                1 ok release null
                """).verdict());
    }

    @Test
    void onlyTheHolderCanRelease() {
        assertEquals(Verdict.INVALID, check("""
                1 invoke acquire null
                1 ok acquire 1
                2 invoke release null
                2 ok release null
                """).verdict());
    }
}

package io.coordinator.jepsen.checker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The register model under the search, on hand-made histories: what a linearizable register may and may not do. */
class RegisterCheckerTest {
    private static final RegisterModel REGISTER = new RegisterModel();

    static LinearizabilityChecker.Result check(String events) {
        return new LinearizabilityChecker<>(REGISTER).check(Histories.of(REGISTER, events), Duration.ofSeconds(10),
                Duration.ofSeconds(10));
    }

    private static void assertValid(String events) {
        LinearizabilityChecker.Result result = check(events);
        assertEquals(Verdict.VALID, result.verdict(), () -> "expected valid: " + result);
    }

    private static LinearizabilityChecker.Result assertInvalid(String events) {
        LinearizabilityChecker.Result result = check(events);
        assertEquals(Verdict.INVALID, result.verdict(), () -> "expected invalid: " + result);
        assertTrue(!result.counterexample().isEmpty());
        return result;
    }

    /** The counterexample's operations as their invocation lines. */
    private static List<Long> lines(LinearizabilityChecker.Result result) {
        return result.counterexample().stream().map(Operation::callLine).toList();
    }

    @Test
    void aReadReturnsTheLastAcknowledgedWrite() {
        assertValid("""
                0 invoke write 1
                0 ok write 1
                1 invoke read null
                1 ok read 1
                """);
    }

    @Test
    void aRegisterNobodyWroteReadsNull() {
        assertValid("""
                0 invoke read null
                0 ok read null
                """);
        assertInvalid("""
                0 invoke read null
                0 ok read 5
                """);
    }

    @Test
    void aStaleReadAfterAnAcknowledgedWriteIsRejected() {
        LinearizabilityChecker.Result result = assertInvalid("""
                0 invoke write 1
                0 ok write 1
                2 invoke read null
                2 ok read 1
                0 invoke write 2
                0 ok write 2
                1 invoke read null
                1 ok read 1
                """);
        // The first read is no part of it; the write of 1 stays, as the stale read's source.
        assertEquals(List.of(1L, 5L, 7L), lines(result));
    }

    @Test
    void aLostAcknowledgedWriteIsRejected() {
        LinearizabilityChecker.Result result = assertInvalid("""
                0 invoke write 1
                0 ok write 1
                1 invoke read null
                1 ok read null
                """);
        assertEquals(List.of(1L, 3L), lines(result));
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrder() {
        String overlapping = """
                0 invoke write 1
                1 invoke write 2
                0 ok write 1
                1 ok write 2
                2 invoke read null
                2 ok read %s
                2 invoke read null
                2 ok read %s
                """;
        assertValid(overlapping.formatted(1, 1));
        assertValid(overlapping.formatted(2, 2));
        // ...but once both are done the value stays put.
        assertInvalid(overlapping.formatted(1, 2));
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeEitherValueButNotGoBack() {
        assertValid("""
                0 invoke write 1
                0 ok write 1
                0 invoke write 2
                1 invoke read null
                1 ok read 2
                2 invoke read null
                2 ok read 1
                0 ok write 2
                """.replace("2 ok read 1", "2 ok read 2"));
        // Read 2 finished before read 1 began: 2 had taken effect, so 1 cannot come back.
        assertInvalid("""
                0 invoke write 1
                0 ok write 1
                0 invoke write 2
                1 invoke read null
                1 ok read 2
                2 invoke read null
                2 ok read 1
                0 ok write 2
                """);
    }

    @Test
    void aWriteWithUnknownOutcomeMayTakeEffectLongAfter() {
        assertValid("""
                0 invoke write 1
                0 ok write 1
                0 invoke write 2
                0 info write 2
                1 invoke read null
                1 ok read 1
                1 invoke write 3
                1 ok write 3
                1 invoke read null
                1 ok read 2
                """);
        // Never completed at all: the same.
        assertValid("""
                0 invoke write 1
                0 ok write 1
                5 invoke write 2
                1 invoke read null
                1 ok read 1
                1 invoke read null
                1 ok read 2
                """);
        // ...or never.
        assertValid("""
                5 invoke write 2
                1 invoke read null
                1 ok read null
                """);
        // But not before it was invoked.
        assertInvalid("""
                1 invoke read null
                1 ok read 2
                5 invoke write 2
                5 info write 2
                """);
    }

    @Test
    void aFailedWriteDidNotHappen() {
        assertInvalid("""
                0 invoke write 1
                0 ok write 1
                0 invoke write 2
                0 fail write 2
                1 invoke read null
                1 ok read 2
                """);
    }

    @Test
    void aReadThatFailedOrTimedOutConstrainsNothing() {
        assertValid("""
                0 invoke write 1
                0 ok write 1
                1 invoke read null
                1 fail read null
                2 invoke read null
                2 info read null
                """);
    }

    @Test
    void compareAndSetSwapsOnlyOnTheExpectedValue() {
        assertValid("""
                0 invoke write 1
                0 ok write 1
                0 invoke cas [1,2]
                0 ok cas [1,2]
                1 invoke read null
                1 ok read 2
                """);
        // Alone, since the register never held 3.
        assertEquals(List.of(3L), lines(assertInvalid("""
                0 invoke write 1
                0 ok write 1
                0 invoke cas [3,2]
                0 ok cas [3,2]
                """)));
        // It held 3 once, but no longer.
        assertEquals(List.of(1L, 3L, 5L), lines(assertInvalid("""
                0 invoke write 3
                0 ok write 3
                0 invoke write 1
                0 ok write 1
                0 invoke cas [3,2]
                0 ok cas [3,2]
                """)));
    }

    @Test
    void aFailedCompareAndSetObservedAnotherValue() {
        assertValid("""
                0 invoke write 1
                0 ok write 1
                0 invoke cas [3,2]
                0 fail cas [3,2]
                1 invoke read null
                1 ok read 1
                """);
        assertInvalid("""
                0 invoke write 1
                0 ok write 1
                0 invoke cas [1,2]
                0 fail cas [1,2]
                """);
    }

    @Test
    void aCompareAndSetWithUnknownOutcomeMayOrMayNotHaveSwapped() {
        String history = """
                0 invoke write 1
                0 ok write 1
                0 invoke cas [1,2]
                0 info cas [1,2]
                1 invoke read null
                1 ok read %s
                1 invoke read null
                1 ok read %s
                """;
        assertValid(history.formatted(1, 1));
        assertValid(history.formatted(1, 2));
        assertValid(history.formatted(2, 2));
        assertInvalid(history.formatted(2, 1)); // nothing writes 1 again
    }

    @Test
    void numbersCompareByValueAndStringsAreNotNumbers() {
        assertValid("""
                0 invoke write 3
                0 ok write 3
                1 invoke read null
                1 ok read 3.0
                """);
        assertInvalid("""
                0 invoke write 3
                0 ok write 3
                1 invoke read null
                1 ok read "3"
                """);
    }

    @Test
    void keysAreCheckedApartAndTheVerdictNamesTheBadOne() {
        LinearizabilityChecker.Result result = check("""
                0 invoke write 1 x
                1 invoke write 1 y
                0 ok write 1 x
                1 ok write 1 y
                0 invoke read null x
                1 invoke write 2 y
                0 ok read 1 x
                1 ok write 2 y
                2 invoke read null y
                2 ok read 1 y
                2 invoke read null z
                2 ok read null z
                """);
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals("y", result.key());
        assertEquals(3, result.keys());
        assertEquals(List.of(2L, 6L, 9L), lines(result));
        // A value written to one key is not visible on another.
        assertInvalid("""
                0 invoke write 1 x
                0 ok write 1 x
                1 invoke read null y
                1 ok read 1 y
                """);
    }

    @Test
    void theCounterexampleIsSmallAndItselfInvalid() {
        // A long healthy stretch on one key, then one stale read.
        StringBuilder events = new StringBuilder();
        for (int i = 1; i <= 200; i++) {
            events.append("0 invoke write ").append(i).append('\n').append("1 invoke read null\n")
                    .append("0 ok write ").append(i).append('\n').append("1 ok read ").append(i).append('\n');
        }
        events.append("2 invoke read null\n2 ok read 150\n");
        LinearizabilityChecker.Result result = assertInvalid(events.toString());
        // The write of 150, one later acknowledged write (any will do), and the read.
        List<Operation> ops = result.counterexample();
        assertEquals(3, ops.size(), () -> "counterexample: " + ops);
        assertEquals(150L, ops.get(0).input());
        assertEquals("write", ops.get(1).f());
        assertTrue((Long) ops.get(1).input() > 150);
        assertEquals(801L, ops.get(2).callLine());
        LinearizabilityChecker<Object> checker = new LinearizabilityChecker<>(REGISTER);
        assertEquals(Verdict.INVALID, checker.search(result.counterexample(), Long.MAX_VALUE).verdict());
    }
}

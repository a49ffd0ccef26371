package io.coordinator.jepsen.checker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Large and pathological histories: fast where the search is easy, never a false valid where it is not. */
class SearchBoundsTest {
    private static final RegisterModel REGISTER = new RegisterModel();

    /** n writes of distinct values, all concurrent, then a read of a value none wrote: 2^n orders to rule out. */
    private static History pathological(int writes) {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < writes; i++) {
            events.append(i).append(" invoke write ").append(i).append('\n');
        }
        for (int i = 0; i < writes; i++) {
            events.append(i).append(" ok write ").append(i).append('\n');
        }
        events.append("1000 invoke read null\n1000 ok read 999\n");
        return Histories.of(REGISTER, events.toString());
    }

    @Test
    void pastTheTimeLimitTheVerdictIsUnknownNeverValid() {
        long start = System.nanoTime();
        LinearizabilityChecker.Result result = new LinearizabilityChecker<>(REGISTER).check(pathological(40), Duration.ofMillis(200),
                Duration.ofMillis(200));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("pathological 40 writes, 200 ms limit: %s after %.2f s: %s%n", result.verdict(), seconds, result.reason());
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertTrue(result.reason().startsWith("time limit reached after "), result.reason());
        assertTrue(seconds < 5, "stopped " + seconds + " s after a 0.2 s limit");
    }

    @Test
    void pastTheMemoryBoundTheVerdictIsUnknownNeverValid() {
        LinearizabilityChecker.Result result = new LinearizabilityChecker<>(REGISTER, System::nanoTime, 100_000)
                .check(pathological(40), Duration.ofMinutes(1), Duration.ZERO);
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertTrue(result.reason().startsWith("memory bound reached: "), result.reason());
    }

    @Test
    void aSmallPathologicalHistoryIsDecidedGivenTheTime() {
        LinearizabilityChecker.Result result = new LinearizabilityChecker<>(REGISTER).check(pathological(12), Duration.ofMinutes(1),
                Duration.ofSeconds(30));
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(1, result.counterexample().size(), "a read of 999, which nobody wrote, is invalid alone");
    }

    @Test
    void tenThousandOperationsOfALinearizableRegisterAreValidQuickly() {
        for (int keys : new int[] {1, 8}) {
            History history = Histories.of(REGISTER, SimulatedRegisters.history(42 + keys, 10_000, 6, keys, 0.005));
            long start = System.nanoTime();
            LinearizabilityChecker.Result result = new LinearizabilityChecker<>(REGISTER).check(history, Duration.ofSeconds(60),
                    Duration.ofSeconds(10));
            double seconds = (System.nanoTime() - start) / 1e9;
            long unknown = history.operations().stream().filter(op -> op.outcome() == Outcome.UNKNOWN).count();
            System.out.printf("simulated register, %d ops (%d unknown), %d key(s): %s in %.2f s%n", history.operations().size(), unknown,
                    keys, result.verdict(), seconds);
            assertEquals(Verdict.VALID, result.verdict(), result.reason());
            assertTrue(seconds < 20, seconds + " s");
        }
    }

    @Test
    void oneStaleReadAtTheEndOfTenThousandOperationsIsFoundAndShownSmall() {
        String healthy = SimulatedRegisters.history(7, 10_000, 6, 8, 0);
        String stale = healthy + """
                100 invoke write 100 k3
                100 ok write 100 k3
                100 invoke write 101 k3
                100 ok write 101 k3
                101 invoke read null k3
                101 ok read 100 k3
                """;
        History history = Histories.of(REGISTER, stale);
        long start = System.nanoTime();
        LinearizabilityChecker.Result result = new LinearizabilityChecker<>(REGISTER).check(history, Duration.ofSeconds(60),
                Duration.ofSeconds(20));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("stale read after 10000 ops: %s in %.2f s, counterexample %s%n", result.verdict(), seconds,
                result.counterexample().stream().map(Operation::describe).toList());
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals("k3", result.key());
        long last = history.lines();
        assertEquals(List.of(last - 5, last - 3, last - 1), result.counterexample().stream().map(Operation::callLine).toList());
    }
}

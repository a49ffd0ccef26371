package io.coordinator.jepsen.checker;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Histories that etcd produced under Jepsen (register: read, write, cas, with timeouts), with the verdicts
 * Porcupine's and Knossos's authors give them (see resources/jepsen-histories/README.md).
 */
class JepsenHistoriesTest {
    private static final RegisterModel REGISTER = new RegisterModel();

    @ParameterizedTest(name = "etcd_{0}.log is {1}")
    @CsvSource({
            "000, INVALID", "001, INVALID", "003, INVALID", "004, INVALID", "006, INVALID",
            "008, INVALID", "009, INVALID", "010, INVALID", "011, INVALID", "012, INVALID",
            "002, VALID", "005, VALID", "007, VALID", "018, VALID", "025, VALID",
            "031, VALID", "038, VALID", "045, VALID", "048, VALID", "049, VALID"})
    void etcdUnderJepsen(String number, Verdict expected) throws Exception {
        String name = "etcd_" + number + ".log";
        History history;
        try (InputStream in = JepsenHistoriesTest.class.getResourceAsStream("/jepsen-histories/" + name)) {
            assertNotNull(in, name);
            history = JepsenLog.read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), name, REGISTER);
        }
        long start = System.nanoTime();
        LinearizabilityChecker.Result result = new LinearizabilityChecker<>(REGISTER).check(history, Duration.ofSeconds(30),
                Duration.ofSeconds(10));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %d ops, %s in %.3f s%s%n", name, history.operations().size(), result.verdict(), seconds,
                result.counterexample().isEmpty() ? "" : ", counterexample of " + result.counterexample().size() + " ops");
        assertEquals(expected, result.verdict(), result.reason());
        if (expected == Verdict.INVALID) {
            assertFalse(result.counterexample().isEmpty());
            assertEquals(Verdict.INVALID, new LinearizabilityChecker<>(REGISTER).search(result.counterexample(), Long.MAX_VALUE).verdict());
            assertTrue(result.counterexample().size() <= 12, "a counterexample of " + result.counterexample().size() + " ops");
        }
    }
}

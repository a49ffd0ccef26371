package io.coordinator.jepsen.checker;

import io.coordinator.jepsen.checker.SessionsChecker.Rule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An ephemeral vanishes only after its session ended, never while it is alive, never outlives it, and
 * only what was created is read. Histories in {@link Histories}' form; paths are single letters, sessions
 * small numbers ({@code 7}, {@code 8}).
 */
class SessionsCheckerTest {
    private static final SessionsChecker SESSIONS = new SessionsChecker();

    private static SessionsChecker.Result check(String events) {
        return SESSIONS.check(Histories.of(SESSIONS, events));
    }

    private static void assertValid(SessionsChecker.Result result) {
        assertEquals(Verdict.VALID, result.verdict(), () -> String.join("\n", SessionsChecker.describe(result)));
    }

    private static Rule onlyRule(SessionsChecker.Result result) {
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(1, result.violations().size(), () -> String.join("\n", SessionsChecker.describe(result)));
        return result.violations().get(0).rule();
    }

    @Test
    void anEphemeralIsReadWhileItsSessionLivesAndGoneOnceItWasClosed() {
        SessionsChecker.Result result = check("""
                1 invoke create null a
                1 ok create 7 a
                1 invoke touch null a
                1 ok touch 7 a
                2 invoke read null
                2 ok read [["a",7]]
                1 invoke close 7
                1 ok close 7
                2 invoke read null
                2 ok read []
                1 invoke check 7
                1 ok check "ended"
                1 invoke create null b
                1 ok create 8 b
                2 invoke read null
                2 ok read [["b",8]]
                """);
        assertValid(result);
        assertEquals(new SessionsChecker.Counts(2, 1, 1, 1, 3, 1, 0), result.counts());
    }

    @Test
    void aSessionThatExpiredInAPartitionTakesItsEphemeralAndCountsAsExpired() {
        SessionsChecker.Result result = check("""
                1 invoke create null a
                1 ok create 7 a
                1 invoke touch null a
                1 info touch null a
                2 invoke read null
                2 ok read []
                11 invoke check 7
                11 ok check "ended"
                11 invoke create null b
                11 ok create 8 b
                2 invoke read null
                2 ok read [["b",8]]
                """);
        assertValid(result);
        assertEquals(1, result.counts().sessionsExpired());
    }

    @Test
    void aTouchConcurrentWithAReadThatMissesTheEphemeralMayHaveComeFirst() {
        assertValid(check("""
                1 invoke create null a
                1 ok create 7 a
                2 invoke read null
                1 invoke touch null a
                1 ok touch 7 a
                2 ok read []
                """));
    }

    @Test
    void aCreateAcknowledgedWhileTheReadWasInFlightMayComeAfterIt() {
        assertValid(check("""
                2 invoke read null
                1 invoke create null a
                1 ok create 7 a
                2 ok read []
                1 invoke touch null a
                1 ok touch 7 a
                """));
    }

    @Test
    void aProofOfLifeInvokedBeforeTheReadReturnedMayPrecedeTheEnd() {
        // The check may be served before the session expired, the read after.
        assertValid(check("""
                1 invoke create null a
                1 ok create 7 a
                3 invoke check 7
                2 invoke read null
                2 ok read []
                3 ok check "alive"
                """));
    }

    @Test
    void aReadConcurrentWithTheCloseMayStillHoldTheEphemeral() {
        assertValid(check("""
                1 invoke create null a
                1 ok create 7 a
                2 invoke read null
                1 invoke close 7
                1 ok close 7
                2 ok read [["a",7]]
                """));
    }

    @Test
    void aReadInvokedBeforeTheExpiryCheckReturnedMayStillHoldTheEphemeral() {
        assertValid(check("""
                1 invoke create null a
                1 ok create 7 a
                3 invoke check 7
                2 invoke read null
                3 ok check "ended"
                2 ok read [["a",7]]
                """));
    }

    @Test
    void theClientsOwnVerdictIsNotTheClustersSoAnAliveCheckAfterLossIsFine() {
        // The client gave session 7 up (LOST) and checked it: still alive on the cluster; later it expired.
        assertValid(check("""
                1 invoke create null a
                1 ok create 7 a
                1 invoke check 7
                1 ok check "alive"
                2 invoke read null
                2 ok read [["a",7]]
                1 invoke check 7
                1 ok check "ended"
                2 invoke read null
                2 ok read []
                """));
    }

    @Test
    void aCreateOfUnknownOutcomeMayAppearLateOrNever() {
        assertValid(check("""
                1 invoke create null a
                1 info create null a
                2 invoke read null
                2 ok read []
                11 invoke create null b
                2 invoke read null
                2 ok read [["a",7],["b",8]]
                11 ok create 8 b
                2 invoke read null
                2 ok read [["b",8]]
                """));
    }

    @Test
    void failedAndUnknownTouchesAndClosesProveNothing() {
        assertValid(check("""
                1 invoke create null a
                1 ok create 7 a
                1 invoke close 7
                1 info close 7
                2 invoke read null
                2 ok read [["a",7]]
                1 invoke touch null a
                1 fail touch null a
                2 invoke read null
                2 ok read []
                """));
    }

    @Test
    void anEphemeralMissingFromAReadWhileALaterTouchShowsItsSessionAliveVanishedWhileAlive() {
        SessionsChecker.Result result = check("""
                1 invoke create null a
                1 ok create 7 a
                2 invoke read null
                2 ok read []
                1 invoke touch null a
                1 ok touch 7 a
                """);
        assertEquals(Rule.VANISHED_WHILE_ALIVE, onlyRule(result));
        assertEquals(List.of(
                "vanished while alive: a (session 7) shown at line 1, missing from the read at line 3, yet its session touched a"
                        + " later, at line 5",
                "    line 1-2  process 1  key a  create -> ok 7",
                "    line 3-4  process 2  read -> ok []",
                "    line 5-6  process 1  key a  touch -> ok 7"), SessionsChecker.describe(result));
    }

    @Test
    void anotherEphemeralOfTheSameSessionOrAnAliveCheckAlsoShowsItAlive() {
        assertEquals(Rule.VANISHED_WHILE_ALIVE, onlyRule(check("""
                1 invoke create null a
                1 ok create 7 a
                2 invoke read null
                2 ok read []
                1 invoke create null b
                1 ok create 7 b
                """)));
        assertEquals(Rule.VANISHED_WHILE_ALIVE, onlyRule(check("""
                1 invoke create null a
                1 ok create 7 a
                2 invoke read null
                2 ok read []
                3 invoke check 7
                3 ok check "alive"
                """)));
    }

    @Test
    void anEphemeralThatComesBackAfterMissingFromAReadVanishedWhileAlive() {
        SessionsChecker.Result result = check("""
                2 invoke read null
                1 invoke create null a
                1 info create null a
                2 ok read [["a",7]]
                2 invoke read null
                2 ok read []
                2 invoke read null
                2 ok read [["a",7]]
                """);
        assertEquals(Rule.VANISHED_WHILE_ALIVE, onlyRule(result));
        assertEquals(3, result.violations().get(0).ops().size());
    }

    @Test
    void anEphemeralReadAfterItsSessionWasClosedOutlivedIt() {
        SessionsChecker.Result result = check("""
                1 invoke create null a
                1 ok create 7 a
                1 invoke close 7
                1 ok close 7
                2 invoke read null
                2 ok read [["a",7]]
                """);
        assertEquals(Rule.OUTLIVED_SESSION, onlyRule(result));
        SessionsChecker.Violation violation = result.violations().get(0);
        assertEquals("a", violation.path());
        assertEquals(List.of(3L, 5L), violation.ops().stream().map(Operation::callLine).toList());
    }

    @Test
    void anEphemeralTouchedAfterItsSessionWasCheckedExpiredOutlivedIt() {
        assertEquals(Rule.OUTLIVED_SESSION, onlyRule(check("""
                1 invoke create null a
                1 ok create 7 a
                3 invoke check 7
                3 ok check "ended"
                1 invoke touch null a
                1 ok touch 7 a
                """)));
    }

    @Test
    void aSessionCheckedAliveAfterItsCloseOutlivedItself() {
        SessionsChecker.Result result = check("""
                1 invoke create null a
                1 ok create 7 a
                2 invoke read null
                2 ok read [["a",7]]
                1 invoke close 7
                1 ok close 7
                3 invoke check 7
                3 ok check "alive"
                """);
        assertEquals(Rule.OUTLIVED_SESSION, onlyRule(result));
        assertEquals(null, result.violations().get(0).path(), "the session alone, no ephemeral");
    }

    @Test
    void aReadOfAPathNeverCreatedIsAPhantom() {
        assertEquals(Rule.PHANTOM, onlyRule(check("""
                2 invoke read null
                2 ok read [["z",7]]
                """)));
    }

    @Test
    void aReadOfAPathWhoseCreateFailedIsAPhantom() {
        SessionsChecker.Result result = check("""
                1 invoke create null a
                1 fail create null a
                2 invoke read null
                2 ok read [["a",7]]
                """);
        assertEquals(Rule.PHANTOM, onlyRule(result));
        assertEquals(2, result.violations().get(0).ops().size());
    }

    @Test
    void aReadOfAPathWhoseCreateWasInvokedOnlyAfterTheReadReturnedIsAPhantom() {
        assertEquals(Rule.PHANTOM, onlyRule(check("""
                2 invoke read null
                2 ok read [["a",7]]
                1 invoke create null a
                1 ok create 7 a
                """)));
    }

    @Test
    void aReadOfAnEphemeralUnderAnotherSessionThanItsCreatesIsAPhantom() {
        SessionsChecker.Result result = check("""
                1 invoke create null a
                1 ok create 7 a
                2 invoke read null
                2 ok read [["a",8]]
                """);
        assertEquals(Rule.PHANTOM, onlyRule(result));
        assertTrue(result.violations().get(0).why().contains("under session 8, created under session 7"));
    }

    @Test
    void withoutAnOkReadNothingWasObserved() {
        SessionsChecker.Result result = check("""
                1 invoke create null a
                1 ok create 7 a
                2 invoke read null
                2 fail read null
                """);
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertEquals("no read succeeded", result.reason());
    }

    @Test
    void aPathCreatedTwiceIsBeyondTheRulesAndNeverValid() {
        SessionsChecker.Result result = check("""
                1 invoke create null a
                1 ok create 7 a
                1 invoke create null a
                1 fail create null a
                2 invoke read null
                2 ok read [["a",7]]
                """);
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertTrue(result.reason().contains("created more than once"), result.reason());
    }

    @Test
    void malformedValuesAreRefusedWhileParsing() {
        assertThrows(IllegalArgumentException.class, () -> check("""
                1 invoke check "s7"
                """));
        assertThrows(IllegalArgumentException.class, () -> check("""
                1 invoke check 7
                1 ok check "maybe"
                """));
        assertThrows(IllegalArgumentException.class, () -> check("""
                2 invoke read null
                2 ok read ["a"]
                """));
        assertThrows(IllegalArgumentException.class, () -> check("""
                1 invoke create null a
                1 ok create null a
                """));
    }
}

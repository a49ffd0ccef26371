package io.coordinator.jepsen.checker;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The set: no acknowledged element lost, none appears that was not added. */
class SetCheckerTest {
    private static final SetChecker SET = new SetChecker();

    private static SetChecker.Result check(String events) {
        return SET.check(Histories.of(SET, events));
    }

    @Test
    void everyAcknowledgedAddIsReadAndUnknownOnesMayBe() {
        SetChecker.Result result = check("""
                1 invoke add 1
                2 invoke add 2
                3 invoke add 3
                1 ok add 1
                2 info add 2
                4 invoke add 4
                3 fail add 3
                5 invoke read null
                5 ok read [1,2]
                5 invoke read null
                5 ok read [1]
                """);
        assertEquals(Verdict.VALID, result.verdict());
        assertEquals(2, result.reads());
    }

    @Test
    void anAcknowledgedAddMissingFromALaterReadIsLost() {
        SetChecker.Result result = check("""
                1 invoke add 1
                1 ok add 1
                1 invoke add 2
                1 ok add 2
                5 invoke read null
                5 ok read [2]
                """);
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(List.of(1L), List.copyOf(result.lost().keySet()));
        assertEquals(5, result.lost().get(1L).callLine());
        assertEquals(List.of("lost 1: acknowledged, missing from the read at line 5-6  process 5  read -> ok [2]"),
                SetChecker.describe(result));
    }

    @Test
    void anAddConcurrentWithTheReadMayBeMissing() {
        assertEquals(Verdict.VALID, check("""
                5 invoke read null
                1 invoke add 1
                1 ok add 1
                5 ok read []
                """).verdict());
    }

    @Test
    void anElementNobodyAddedOrWhoseAddFailedIsUnexpected() {
        SetChecker.Result result = check("""
                1 invoke add 1
                1 fail add 1
                5 invoke read null
                5 ok read [1,9]
                6 invoke add 7
                6 ok add 7
                """);
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(List.of(1L, 9L), List.copyOf(result.unexpected().keySet()));
        // An element added only after the read returned is unexpected too.
        assertEquals(List.of(7L), List.copyOf(check("""
                5 invoke read null
                5 ok read [7]
                6 invoke add 7
                6 ok add 7
                """).unexpected().keySet()));
    }

    @Test
    void keysAreSeparateSets() {
        assertEquals(Verdict.INVALID, check("""
                1 invoke add 1 a
                1 ok add 1 a
                5 invoke read null b
                5 ok read [1] b
                """).verdict());
    }

    @Test
    void withoutASuccessfulReadNothingIsKnown() {
        SetChecker.Result result = check("""
                1 invoke add 1
                1 ok add 1
                5 invoke read null
                5 info read null
                """);
        assertEquals(Verdict.UNKNOWN, result.verdict());
    }
}

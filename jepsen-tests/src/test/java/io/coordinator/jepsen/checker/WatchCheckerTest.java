package io.coordinator.jepsen.checker;

import io.coordinator.jepsen.checker.WatchChecker.Rule;
import io.coordinator.jepsen.checker.WatchChecker.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every watcher sees the same events in revision order with no gap, each from a write that may have
 * happened there, and catches up: hand-made histories, valid ones (different starts, writes of unknown
 * outcome that did or did not land, a watch ended by COMPACTED) and one broken rule each.
 */
class WatchCheckerTest {
    private static final WatchChecker WATCH = new WatchChecker();

    /** Writers are processes 1-3, watchers 7-9; each step is written as its invoke and completion lines. */
    private static final class Script {
        private final StringBuilder lines = new StringBuilder();

        Script invoke(int process, String f, String value, String key) {
            return line(process, "invoke", f, value, key);
        }

        Script complete(int process, String type, String f, String value, String key) {
            return line(process, type, f, value, key);
        }

        /** An acknowledged write of {@code value} to {@code key} at {@code revision}. */
        Script write(int process, String key, long value, long revision) {
            return invoke(process, "write", Long.toString(value), key)
                    .complete(process, "ok", "write", "[" + value + "," + revision + "]", key);
        }

        Script delete(int process, String key, long revision) {
            return invoke(process, "delete", "null", key).complete(process, "ok", "delete", "[null," + revision + "]", key);
        }

        Script watch(int process, long from) {
            return invoke(process, "watch", "0", null).complete(process, "ok", "watch", Long.toString(from), null);
        }

        /** @param events each {@code "key type value"}, value {@code -} for none */
        Script heard(int process, long revision, String... events) {
            StringBuilder value = new StringBuilder("[").append(revision);
            for (String event : events) {
                String[] words = event.split(" ");
                value.append(",[\"").append(words[0].equals("root") ? "" : words[0]).append("\",\"").append(words[1]).append("\",")
                        .append(words[2].equals("-") ? "null" : words[2]).append(']');
            }
            return invoke(process, "event", "null", null).complete(process, "ok", "event", value.append(']').toString(), null);
        }

        Script ended(int process, String code) {
            return invoke(process, "ended", "null", null).complete(process, "ok", "ended", "\"" + code + "\"", null);
        }

        private Script line(int process, String type, String f, String value, String key) {
            lines.append(process).append(' ').append(type).append(' ').append(f).append(' ').append(value)
                    .append(key == null ? "" : " " + key).append('\n');
            return this;
        }

        WatchChecker.Result check() {
            return WATCH.check(Histories.of(WATCH, lines.toString()));
        }
    }

    /** Revision 5 creates k1 with 100, 6 sets it to 101, 7 deletes it; both watchers start at 5. */
    private static Script threeRevisionsAndTwoWatchers() {
        return new Script().watch(7, 5).watch(8, 5)
                .write(1, "k1", 100, 5).heard(7, 5, "k1 created 100", "root children_changed -").heard(8, 5, "k1 created 100", "root children_changed -")
                .write(2, "k1", 101, 6).heard(8, 6, "k1 data_changed 101").heard(7, 6, "k1 data_changed 101")
                .delete(1, "k1", 7).heard(7, 7, "k1 deleted -", "root children_changed -").heard(8, 7, "k1 deleted -", "root children_changed -");
    }

    private static List<Rule> rules(WatchChecker.Result result) {
        return result.violations().stream().map(Violation::rule).distinct().toList();
    }

    @Test
    void watchersThatHeardEveryWriteInOrderAgreeAndAreValid() {
        WatchChecker.Result result = threeRevisionsAndTwoWatchers().check();
        assertEquals(Verdict.VALID, result.verdict(), WatchChecker.describe(result.violations()).toString());
        assertEquals(7, result.highestAcknowledged());
        assertEquals(List.of(7L, 7L), result.watchers().stream().map(WatchHistory.Watcher::last).toList());
        assertEquals(5, result.watchers().get(0).events());
    }

    @Test
    void aWatcherStartingLaterIsHeldOnlyToTheRevisionsItCovers() {
        WatchChecker.Result result = threeRevisionsAndTwoWatchers().watch(9, 7).heard(9, 7, "k1 deleted -", "root children_changed -")
                .check();
        assertEquals(Verdict.VALID, result.verdict(), WatchChecker.describe(result.violations()).toString());
    }

    @Test
    void aWriteOfUnknownOutcomeMayLandOrNot() {
        WatchChecker.Result result = new Script().watch(7, 5).watch(8, 5)
                .invoke(1, "write", "200", "k2").complete(1, "info", "write", "200", "k2")
                .invoke(2, "write", "201", "k3").complete(2, "info", "write", "201", "k3")
                .invoke(3, "write", "202", "k2") // never completes: unknown too
                .heard(7, 5, "k2 created 200", "root children_changed -").heard(8, 5, "k2 created 200", "root children_changed -")
                .heard(7, 6, "k2 data_changed 202").heard(8, 6, "k2 data_changed 202")
                .write(4, "k3", 203, 7).heard(7, 7, "k3 created 203", "root children_changed -").heard(8, 7, "k3 created 203", "root children_changed -")
                .check();
        assertEquals(Verdict.VALID, result.verdict(), WatchChecker.describe(result.violations()).toString());
    }

    @Test
    void aWatchEndedByCompactedIsJudgedOnWhatItCoveredAndNeedNotCatchUp() {
        WatchChecker.Result result = new Script().watch(7, 5).watch(8, 5)
                .write(1, "k1", 100, 5).heard(7, 5, "k1 created 100", "root children_changed -").heard(8, 5, "k1 created 100", "root children_changed -")
                .ended(8, "COMPACTED")
                .write(1, "k1", 101, 6).heard(7, 6, "k1 data_changed 101")
                .check();
        assertEquals(Verdict.VALID, result.verdict(), WatchChecker.describe(result.violations()).toString());
        assertEquals(List.of(6L, 5L), result.watchers().stream().map(WatchHistory.Watcher::last).toList());
        assertEquals("COMPACTED", result.watchers().get(1).ended().output());
    }

    @Test
    void withoutAnyWatchNothingWasObserved() {
        WatchChecker.Result result = new Script().write(1, "k1", 100, 5).check();
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertEquals("no watch started", result.reason());
    }

    @Test
    void revisionsHeardOutOfOrderBreakTheOrder() {
        WatchChecker.Result result = new Script().watch(7, 5)
                .write(1, "k1", 100, 5).write(2, "k1", 101, 6)
                .heard(7, 6, "k1 data_changed 101").heard(7, 5, "k1 created 100", "root children_changed -")
                .check();
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(List.of(Rule.ORDER), rules(result));
        Violation order = result.violations().get(0);
        assertEquals("watcher 7 delivered revision 5 after revision 6", order.what());
        assertEquals(2, order.ops().size());
    }

    @Test
    void twoWatchersHearingDifferentEventsAtOneRevisionDisagree() {
        // 300 was written with an unknown outcome: either revision 6 could hold it, but not in one watcher only.
        WatchChecker.Result result = new Script().watch(7, 5).watch(8, 5)
                .invoke(1, "write", "300", "k1").complete(1, "info", "write", "300", "k1")
                .write(2, "k1", 100, 5).heard(7, 5, "k1 created 100", "root children_changed -").heard(8, 5, "k1 created 100", "root children_changed -")
                .heard(7, 6, "k1 data_changed 300")
                .write(2, "k1", 101, 7).heard(7, 7, "k1 data_changed 101").heard(8, 7, "k1 data_changed 101")
                .check();
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(List.of(Rule.AGREEMENT), rules(result));
        assertEquals("at revision 6, which both cover, watcher 7 delivered [k1 data_changed 300] and watcher 8 nothing",
                result.violations().get(0).what());
        assertEquals(3, result.violations().get(0).ops().size(), "7's delivery at 6, 8's at 5 and 7 around it");
    }

    @Test
    void anAcknowledgedWriteMissingFromACoveredRevisionIsAGap() {
        WatchChecker.Result result = new Script().watch(7, 5)
                .write(1, "k1", 100, 5).write(2, "k1", 101, 6).write(1, "k1", 102, 7)
                .heard(7, 5, "k1 created 100", "root children_changed -").heard(7, 7, "k1 data_changed 102")
                .check();
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(List.of(Rule.GAP), rules(result));
        Violation gap = result.violations().get(0);
        assertTrue(gap.what().startsWith("watcher 7 covers revision 6 (5 to 7) but delivered nothing there"), gap.what());
        assertEquals(List.of("write", "event", "event"), gap.ops().stream().map(Operation::f).toList());
    }

    @Test
    void anEventNoWriteCanExplainIsInvented() {
        WatchChecker.Result result = new Script().watch(7, 5)
                .invoke(1, "write", "400", "k1").complete(1, "fail", "write", "400", "k1")
                .write(2, "k2", 401, 6)
                .heard(7, 5, "k1 created 400", "root children_changed -") // its write failed
                .heard(7, 6, "k2 created 401", "root children_changed -")
                .heard(7, 7, "k2 data_changed 999") // never written
                .heard(7, 8, "k1 deleted -", "root children_changed -") // never deleted
                .check();
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(List.of(Rule.INVENTED), rules(result));
        assertEquals(List.of("watcher 7 at revision 5 heard k1 created 400: its write failed",
                        "watcher 7 at revision 7 heard k2 data_changed 999: no write of this value",
                        "watcher 7 at revision 8 heard k1 deleted: no delete of k1 acknowledged at this revision, nor one of unknown outcome invoked before"),
                result.violations().stream().map(Violation::what).toList());
    }

    @Test
    void aWriteHeardAwayFromItsRevisionOrAtTwoRevisionsIsInvented() {
        // Their ranges do not overlap (5 to 5, and 6 to 8), so agreement has nothing to compare.
        WatchChecker.Result result = new Script().watch(7, 5).watch(8, 6)
                .invoke(1, "write", "500", "k1").complete(1, "info", "write", "500", "k1")
                .write(2, "k2", 501, 9)
                .heard(7, 5, "k1 created 500", "root children_changed -")
                .ended(7, "COMPACTED")
                .heard(8, 6, "k1 created 500", "root children_changed -") // the same unknown write, another revision
                .heard(8, 8, "k2 created 501", "root children_changed -") // acknowledged at 9
                .ended(8, "COMPACTED")
                .check();
        assertEquals(List.of(Rule.INVENTED), rules(result));
        assertEquals(List.of("the write of 500 was heard at revisions 5 and 6; a write lands once",
                        "watcher 8 at revision 8 heard k2 created 501: its write was acknowledged at revision 9"),
                result.violations().stream().map(Violation::what).toList());
    }

    @Test
    void anEventHeardBeforeItsWriteWasInvokedIsInvented() {
        WatchChecker.Result result = new Script().watch(7, 5)
                .heard(7, 5, "k1 created 600", "root children_changed -")
                .invoke(1, "write", "600", "k1").complete(1, "info", "write", "600", "k1")
                .check();
        assertEquals(List.of(Rule.INVENTED), rules(result));
        assertTrue(result.violations().get(0).what().endsWith("heard before its write was invoked"));
    }

    @Test
    void aWatcherThatNeverReachesTheLastAcknowledgedRevisionIsStuck() {
        WatchChecker.Result result = new Script().watch(7, 5).watch(8, 5)
                .write(1, "k1", 100, 5).heard(7, 5, "k1 created 100", "root children_changed -").heard(8, 5, "k1 created 100", "root children_changed -")
                .write(1, "k1", 101, 6).heard(7, 6, "k1 data_changed 101")
                .check();
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals(List.of(Rule.STUCK), rules(result));
        assertEquals("watcher 8 reached revision 5 by the end, not 6, the highest acknowledged; its watch did not end with an error",
                result.violations().get(0).what());
        assertEquals(List.of("event", "write"), result.violations().get(0).ops().stream().map(Operation::f).toList(),
                "its last delivery, then the write it never heard");
    }

    @Test
    void eventsOnAProcessWithNoWatchRunningBreakTheOrder() {
        WatchChecker.Result result = new Script().watch(7, 5).ended(7, "COMPACTED").heard(7, 5, "k1 created 100").check();
        assertEquals(List.of(Rule.ORDER), rules(result));
    }

    @Test
    void aMalformedEventIsAFormatErrorNamingItsLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Script().watch(7, 5)
                .heard(7, 5, "k1 renamed 100").check());
        assertTrue(e.getMessage().startsWith("test:4: an event is [revision, [key, type, value], ...]"), e.getMessage());
    }

    @Test
    void twoWritesOfOneValueCannotBeJudged() {
        WatchChecker.Result result = new Script().write(1, "k1", 100, 5).write(2, "k2", 100, 6).watch(7, 5).check();
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertTrue(result.reason().startsWith("two writes of 100"), result.reason());
    }
}

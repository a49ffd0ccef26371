package io.coordinator.jepsen.checker;

import io.coordinator.jepsen.checker.WatchChecker.Rule;
import io.coordinator.jepsen.checker.WatchChecker.Violation;
import io.coordinator.jepsen.checker.WatchHistory.Delivery;
import io.coordinator.jepsen.checker.WatchHistory.Event;
import io.coordinator.jepsen.checker.WatchHistory.Watcher;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** {@link WatchChecker}'s five rules over one {@link WatchHistory}, each adding what it finds to a list. */
final class WatchRules {
    private final WatchHistory history;
    private final List<Violation> found;
    private final Map<String, TreeMap<Long, Delivery>> byProcess = new HashMap<>();
    /** Each key's deletes acknowledged, by revision, and the earliest call of one of unknown outcome. */
    private final Map<String, Map<Long, Operation>> deletesOk = new HashMap<>();
    private final Map<String, Long> firstUnknownDeleteCall = new HashMap<>();

    WatchRules(WatchHistory history, List<Violation> found) {
        this.history = history;
        this.found = found;
        for (Operation op : history.writes()) {
            if (!op.f().equals(WatchChecker.DELETE)) {
                continue;
            }
            if (op.outcome() == Outcome.OK) {
                deletesOk.computeIfAbsent(op.key(), k -> new HashMap<>()).putIfAbsent((Long) op.output(), op);
            } else if (op.outcome() == Outcome.UNKNOWN) {
                firstUnknownDeleteCall.merge(op.key(), op.callLine(), Math::min);
            }
        }
        for (Watcher watcher : history.watchers()) {
            TreeMap<Long, Delivery> map = new TreeMap<>();
            watcher.deliveries().forEach(d -> map.putIfAbsent(d.revision(), d)); // a repeat is the order rule's
            byProcess.put(watcher.process(), map);
        }
    }

    /** Revisions strictly increase from the watch's first; nothing is heard on a process with no watch running. */
    void order() {
        for (Operation stray : history.strays()) {
            add(Rule.ORDER, "process " + stray.process() + " has a " + stray.f() + " with no watch of its own running", List.of(stray));
        }
        for (Watcher watcher : history.watchers()) {
            long previous = watcher.from() - 1;
            Operation before = watcher.watch();
            for (Delivery d : watcher.deliveries()) {
                if (d.revision() <= previous) {
                    add(Rule.ORDER, "watcher " + watcher.process() + " delivered revision " + d.revision() + " after "
                            + (before == watcher.watch() ? "its watch began at " + watcher.from() : "revision " + previous), List.of(before, d.op()));
                    continue;
                }
                previous = d.revision();
                before = d.op();
            }
        }
    }

    /** Two watchers that both cover a revision delivered the same events there, or both nothing. */
    void agreement() {
        List<Watcher> watchers = history.watchers();
        for (int i = 0; i < watchers.size(); i++) {
            for (int j = i + 1; j < watchers.size(); j++) {
                agree(watchers.get(i), watchers.get(j));
            }
        }
    }

    private void agree(Watcher a, Watcher b) {
        long low = Math.max(a.from(), b.from());
        long high = Math.min(a.last(), b.last());
        if (low > high) {
            return;
        }
        TreeMap<Long, Delivery> inA = byProcess.get(a.process());
        TreeMap<Long, Delivery> inB = byProcess.get(b.process());
        Set<Long> revisions = new TreeSet<>(inA.subMap(low, true, high, true).keySet());
        revisions.addAll(inB.subMap(low, true, high, true).keySet());
        for (long r : revisions) {
            Delivery da = inA.get(r);
            Delivery db = inB.get(r);
            if (da != null && db != null && da.events().equals(db.events())) {
                continue;
            }
            List<Operation> ops = new ArrayList<>(around(inA, r));
            ops.addAll(around(inB, r));
            add(Rule.AGREEMENT, "at revision " + r + ", which both cover, watcher " + a.process() + " delivered " + shown(da)
                    + " and watcher " + b.process() + " " + shown(db), ops);
        }
    }

    /** Every acknowledged write's revision holds its event in every watcher that covers that revision. */
    void noGap() {
        for (Operation write : history.writes()) {
            if (write.outcome() != Outcome.OK) {
                continue;
            }
            long r = (Long) write.output();
            for (Watcher watcher : history.watchers()) {
                if (!watcher.covers(r)) {
                    continue;
                }
                TreeMap<Long, Delivery> map = byProcess.get(watcher.process());
                Delivery d = map.get(r);
                if (d != null && d.events().stream().anyMatch(e -> shows(write, e))) {
                    continue;
                }
                List<Operation> ops = new ArrayList<>(List.of(write));
                ops.addAll(around(map, r));
                add(Rule.GAP, "watcher " + watcher.process() + " covers revision " + r + " (" + watcher.from() + " to " + watcher.last()
                        + ") but delivered " + shown(d) + " there, not the acknowledged " + write.f() + " of key " + write.key(), ops);
            }
        }
    }

    /** An event of {@code write}: same key, a creation or change to its value, or a deletion. */
    static boolean shows(Operation write, Event e) {
        if (!e.key().equals(write.key())) {
            return false;
        }
        if (write.f().equals(WatchChecker.DELETE)) {
            return e.type().equals(Event.DELETED);
        }
        return (e.type().equals(Event.CREATED) || e.type().equals(Event.DATA_CHANGED)) && Objects.equals(e.value(), write.input());
    }

    /** Every event comes from a write that may have happened there, and each write shows up at one revision only. */
    void nothingInvented() {
        Map<Object, Delivery> firstHeard = new HashMap<>();
        Set<Object> reported = new HashSet<>();
        for (Watcher watcher : history.watchers()) {
            for (Delivery d : watcher.deliveries()) {
                for (Event e : d.events()) {
                    String why = whyImpossible(e, d);
                    if (why != null) {
                        List<Operation> ops = new ArrayList<>(List.of(d.op()));
                        Operation write = e.value() == null ? null : history.byValue().get(e.value());
                        if (write != null) {
                            ops.add(0, write);
                        }
                        add(Rule.INVENTED, "watcher " + watcher.process() + " at revision " + d.revision() + " heard " + e + ": " + why, ops);
                        continue;
                    }
                    if (e.type().equals(Event.DELETED) || e.key().isEmpty()) {
                        continue; // deletions carry no value to tell one from another
                    }
                    Delivery first = firstHeard.putIfAbsent(e.value(), d);
                    if (first != null && first.revision() != d.revision() && reported.add(e.value())) {
                        add(Rule.INVENTED, "the write of " + Values.show(e.value()) + " was heard at revisions " + first.revision() + " and "
                                + d.revision() + "; a write lands once", List.of(history.byValue().get(e.value()), first.op(), d.op()));
                    }
                }
            }
        }
    }

    /** @return null when some write can explain {@code e} in {@code d}, else why none can */
    private String whyImpossible(Event e, Delivery d) {
        if (e.key().isEmpty()) {
            boolean childCameOrWent = d.events().stream().anyMatch(c -> !c.key().isEmpty()
                    && (c.type().equals(Event.CREATED) || c.type().equals(Event.DELETED)));
            if (!e.type().equals(Event.CHILDREN_CHANGED)) {
                return "nothing writes the root itself";
            }
            return childCameOrWent ? null : "the root's children changed, but no key was created or deleted at that revision";
        }
        if (e.key().contains("/") || e.type().equals(Event.CHILDREN_CHANGED)) {
            return "nothing writes below a key";
        }
        if (e.type().equals(Event.DELETED)) {
            return e.value() == null && deleteExplains(e.key(), d) ? null
                    : "no delete of " + e.key() + " acknowledged at this revision, nor one of unknown outcome invoked before";
        }
        Operation write = history.byValue().get(e.value());
        if (write == null) {
            return "no write of this value";
        }
        if (!write.key().equals(e.key())) {
            return "the value was written to " + write.key();
        }
        if (write.outcome() == Outcome.FAIL) {
            return "its write failed";
        }
        if (write.callLine() > d.op().callLine()) {
            return "heard before its write was invoked";
        }
        if (write.outcome() == Outcome.OK && (Long) write.output() != d.revision()) {
            return "its write was acknowledged at revision " + write.output();
        }
        return null;
    }

    /** Indexed, not a scan of every write: a long run hears tens of thousands of deletions per watcher. */
    private boolean deleteExplains(String key, Delivery d) {
        Operation ok = deletesOk.getOrDefault(key, Map.of()).get(d.revision());
        if (ok != null && ok.callLine() < d.op().callLine()) {
            return true;
        }
        Long unknown = firstUnknownDeleteCall.get(key);
        return unknown != null && unknown < d.op().callLine();
    }

    /** A watcher whose watch ran to the end of the history delivered the highest acknowledged revision. */
    void caughtUp(long highest) {
        if (highest == 0) {
            return;
        }
        Operation top = history.writes().stream().filter(op -> op.outcome() == Outcome.OK && (Long) op.output() == highest)
                .findFirst().orElseThrow();
        for (Watcher watcher : history.watchers()) {
            if (watcher.ended() != null || watcher.last() >= highest) {
                continue;
            }
            Operation last = watcher.deliveries().isEmpty() ? watcher.watch() : watcher.deliveries().get(watcher.deliveries().size() - 1).op();
            add(Rule.STUCK, "watcher " + watcher.process() + " reached revision " + watcher.last() + " by the end, not " + highest
                    + ", the highest acknowledged; its watch did not end with an error", List.of(top, last));
        }
    }

    /** The delivery at {@code r}, or the ones just before and after it: what shows that the watcher went past it. */
    private static List<Operation> around(TreeMap<Long, Delivery> map, long r) {
        Delivery at = map.get(r);
        if (at != null) {
            return List.of(at.op());
        }
        List<Operation> ops = new ArrayList<>();
        Map.Entry<Long, Delivery> lower = map.lowerEntry(r);
        Map.Entry<Long, Delivery> higher = map.higherEntry(r);
        if (lower != null) {
            ops.add(lower.getValue().op());
        }
        if (higher != null) {
            ops.add(higher.getValue().op());
        }
        return ops;
    }

    private static String shown(Delivery d) {
        return d == null ? "nothing" : d.events().toString();
    }

    private void add(Rule rule, String what, List<Operation> ops) {
        List<Operation> sorted = new ArrayList<>(new LinkedHashSet<>(ops));
        sorted.sort(Comparator.comparingLong(Operation::callLine));
        found.add(new Violation(rule, what, sorted));
    }
}

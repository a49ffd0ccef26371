package io.coordinator.jepsen.checker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A watch history (see {@link WatchChecker} for its functions) taken apart into what the rules work on:
 * the writers' writes and deletes, and each watcher's stream. Building it judges nothing; shapes that
 * only a broken recorder could produce (events on a process that never started a watch, a second watch
 * on one process) are kept as {@link #strays} for the order rule to report.
 *
 * @param writes   every {@code write} and {@code delete}, in invocation order
 * @param byValue  each {@code write} by its value; values are unique per history
 * @param watchers each process that started a watch ({@code watch ok}), in the order they started
 * @param strays   {@code event}, {@code ended} or second {@code watch ok} operations of a process with
 *                 no watch running at that point
 */
public record WatchHistory(List<Operation> writes, Map<Object, Operation> byValue, List<Watcher> watchers,
                           List<Operation> strays) {

    /** One event of a delivery: {@code key} is the node's name under the watched root, "" for the root itself. */
    public record Event(String key, String type, Object value) {
        public static final String CREATED = "created";
        public static final String DELETED = "deleted";
        public static final String DATA_CHANGED = "data_changed";
        public static final String CHILDREN_CHANGED = "children_changed";

        @Override
        public String toString() {
            return (key.isEmpty() ? "(root)" : key) + " " + type + (value == null ? "" : " " + Values.show(value));
        }
    }

    /** One call of the watcher's listener: every event of one revision. */
    public record Delivery(Operation op, long revision, List<Event> events) {
        public Delivery {
            events = List.copyOf(events);
        }

        @Override
        public String toString() {
            return "revision " + revision + " " + events;
        }
    }

    /**
     * @param watch      its {@code watch ok}; {@code from} is the first revision it covers
     * @param deliveries in the order heard
     * @param ended      its {@code ended ok} (the watch failed with that code), or null while it ran to the end
     */
    public record Watcher(String process, Operation watch, long from, List<Delivery> deliveries, Operation ended, long last) {
        public Watcher {
            deliveries = List.copyOf(deliveries);
        }

        public Watcher(String process, Operation watch, long from, List<Delivery> deliveries, Operation ended) {
            // Kept, not recomputed: the gap rule asks it for every write (a 30-minute run: 160k writes,
            // 300k deliveries per watcher).
            this(process, watch, from, deliveries, ended,
                    deliveries.stream().mapToLong(Delivery::revision).max().orElse(from - 1));
        }

        /** The highest revision delivered, or {@code from - 1} before any: it has covered {@code [from, last]}. */
        @Override
        public long last() {
            return last;
        }

        public boolean covers(long revision) {
            return from <= revision && revision <= last();
        }

        public long events() {
            return deliveries.stream().mapToLong(d -> d.events().size()).sum();
        }
    }

    public WatchHistory {
        writes = List.copyOf(writes);
        byValue = Collections.unmodifiableMap(new LinkedHashMap<>(byValue));
        watchers = List.copyOf(watchers);
        strays = List.copyOf(strays);
    }

    /** @throws IllegalArgumentException when two writes have the same value: the rules could not tell them apart */
    public static WatchHistory of(History history) {
        List<Operation> writes = new ArrayList<>();
        Map<Object, Operation> byValue = new LinkedHashMap<>();
        Map<String, Building> running = new LinkedHashMap<>();
        List<Watcher> watchers = new ArrayList<>();
        List<Operation> strays = new ArrayList<>();
        for (Operation op : history.operations()) {
            switch (op.f()) {
                case WatchChecker.WRITE, WatchChecker.DELETE -> {
                    writes.add(op);
                    if (op.f().equals(WatchChecker.WRITE)) {
                        Operation same = byValue.putIfAbsent(op.input(), op);
                        if (same != null) {
                            throw new IllegalArgumentException("two writes of " + Values.show(op.input()) + ": " + same.describe()
                                    + " and " + op.describe() + "; a watch history needs unique values");
                        }
                    }
                }
                case WatchChecker.WATCH -> {
                    if (op.outcome() != Outcome.OK) {
                        continue; // a watch that did not start delivers nothing the checker hears of
                    }
                    if (running.containsKey(op.process())) {
                        strays.add(op);
                        continue;
                    }
                    running.put(op.process(), new Building(op));
                }
                case WatchChecker.EVENT, WatchChecker.ENDED -> {
                    Building watcher = running.get(op.process());
                    if (watcher == null || watcher.ended != null || op.outcome() != Outcome.OK || op.callLine() < watcher.watch.returnLine()) {
                        strays.add(op);
                    } else if (op.f().equals(WatchChecker.ENDED)) {
                        watcher.ended = op;
                    } else {
                        watcher.deliveries.add(delivery(op));
                    }
                }
                default -> throw new IllegalArgumentException("not a watch history's function: " + op.f());
            }
        }
        running.values().forEach(b -> watchers.add(new Watcher(b.watch.process(), b.watch, (Long) b.watch.output(), b.deliveries,
                b.ended)));
        return new WatchHistory(writes, byValue, watchers, strays);
    }

    private static final class Building {
        final Operation watch;
        final List<Delivery> deliveries = new ArrayList<>();
        Operation ended;

        Building(Operation watch) {
            this.watch = watch;
        }
    }

    /** From an {@code event ok}'s output, which {@link WatchChecker#okOutput} has checked the shape of. */
    static Delivery delivery(Operation op) {
        List<?> value = (List<?>) Objects.requireNonNull(op.output());
        List<Event> events = new ArrayList<>();
        for (Object item : value.subList(1, value.size())) {
            List<?> event = (List<?>) item;
            events.add(new Event((String) event.get(0), (String) event.get(1), event.get(2)));
        }
        return new Delivery(op, (Long) value.get(0), events);
    }
}

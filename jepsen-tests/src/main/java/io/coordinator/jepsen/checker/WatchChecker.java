package io.coordinator.jepsen.checker;

import io.coordinator.jepsen.checker.WatchHistory.Event;
import io.coordinator.jepsen.checker.WatchHistory.Watcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Watches on one subtree: writers {@code write} unique values to keys (nodes right under the watched
 * root) and {@code delete} them, each {@code ok} with the revision it got; watchers deliver what their
 * watch heard, one {@code event} per revision. The vocabulary (values as {@link Values} reads them):
 * <ul>
 * <li>{@code write}, key k: invoke value v (unique in the history); {@code ok} value {@code [v, revision]};</li>
 * <li>{@code delete}, key k: invoke {@code null}; {@code ok} value {@code [null, revision]};</li>
 * <li>{@code watch}: invoke the revision asked for (0: from now); {@code ok} value the first revision the
 *     watch covers;</li>
 * <li>{@code event}: invoke {@code null}; {@code ok} value {@code [revision, [key, type, value], ...]},
 *     type one of created, deleted, data_changed, children_changed, key "" for the root;</li>
 * <li>{@code ended}: invoke {@code null}; {@code ok} value the error code that ended the watch.</li>
 * </ul>
 * A watcher covers the revisions from its watch's first to the last it delivered. The rules, each
 * sound (a correct run never breaks one; a write of unknown outcome may show up, or not):
 * <ol>
 * <li>{@link Rule#ORDER}: a watcher's revisions strictly increase from its first;</li>
 * <li>{@link Rule#AGREEMENT}: at a revision two watchers both cover, they delivered the same events, or
 *     both nothing;</li>
 * <li>{@link Rule#GAP}: an acknowledged write's revision, where a watcher covers it, holds its event;</li>
 * <li>{@link Rule#INVENTED}: every event is a write invoked before it was heard that did not fail, at its
 *     acknowledged revision if it has one, at one revision only; the root's children_changed comes
 *     with a child's creation or deletion;</li>
 * <li>{@link Rule#STUCK}: a watcher not ended by an error reached the highest acknowledged revision by the
 *     end of the history (the recorder stops at the end of the final phase).</li>
 * </ol>
 */
public final class WatchChecker implements Vocabulary {
    public static final String WRITE = "write";
    public static final String DELETE = "delete";
    public static final String WATCH = "watch";
    public static final String EVENT = "event";
    public static final String ENDED = "ended";
    private static final Set<String> TYPES = Set.of(Event.CREATED, Event.DELETED, Event.DATA_CHANGED, Event.CHILDREN_CHANGED);

    public enum Rule {
        ORDER, AGREEMENT, GAP, INVENTED, STUCK;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One broken rule and the operations that show it. */
    public record Violation(Rule rule, String what, List<Operation> ops) {
        public Violation {
            ops = List.copyOf(ops);
        }
    }

    /**
     * @param highestAcknowledged the highest revision of an {@code ok} write or delete, 0 when none
     * @param reason              when unknown: why
     */
    public record Result(Verdict verdict, List<Violation> violations, List<Watcher> watchers, long highestAcknowledged,
                         String reason) {
        public Result {
            violations = List.copyOf(violations);
            watchers = List.copyOf(watchers);
        }
    }

    @Override
    public String name() {
        return "watch";
    }

    @Override
    public Set<String> functions() {
        return Set.of(WRITE, DELETE, WATCH, EVENT, ENDED);
    }

    @Override
    public void checkInvocation(String f, Object value) {
        boolean fine = switch (f) {
            case WRITE -> Values.isScalar(value);
            case WATCH -> value instanceof Long revision && revision >= 0;
            default -> value == null;
        };
        if (!fine) {
            throw new IllegalArgumentException("a " + f + "'s invocation value cannot be " + Values.show(value));
        }
    }

    @Override
    public Object okOutput(String f, Object invocationValue, Object completionValue) {
        switch (f) {
            case WRITE, DELETE -> {
                if (completionValue instanceof List<?> pair && pair.size() == 2 && java.util.Objects.equals(pair.get(0), invocationValue)
                        && pair.get(1) instanceof Long revision && revision > 0) {
                    return revision;
                }
                throw new IllegalArgumentException("an ok " + f + " returns [its value, its revision], not " + Values.show(completionValue));
            }
            case WATCH -> {
                if (completionValue instanceof Long from && from > 0) {
                    return from;
                }
                throw new IllegalArgumentException("an ok watch returns the first revision it covers, not " + Values.show(completionValue));
            }
            case EVENT -> {
                if (!isDelivery(completionValue)) {
                    throw new IllegalArgumentException("an event is [revision, [key, type, value], ...] with a type of "
                            + String.join(", ", new java.util.TreeSet<>(TYPES)) + ", not " + Values.show(completionValue));
                }
                return completionValue;
            }
            default -> {
                if (completionValue instanceof String code) {
                    return code;
                }
                throw new IllegalArgumentException("an ok ended returns the error code, not " + Values.show(completionValue));
            }
        }
    }

    private static boolean isDelivery(Object value) {
        if (!(value instanceof List<?> list) || list.size() < 2 || !(list.get(0) instanceof Long revision) || revision <= 0) {
            return false;
        }
        return list.subList(1, list.size()).stream().allMatch(item -> item instanceof List<?> event && event.size() == 3
                && event.get(0) instanceof String && event.get(1) instanceof String type && TYPES.contains(type)
                && (event.get(2) == null || Values.isScalar(event.get(2))));
    }

    /** Unknown, not judged, when two writes share a value: no rule could tell which one an event shows. */
    public Result check(History history) {
        WatchHistory parts;
        try {
            parts = WatchHistory.of(history);
        } catch (IllegalArgumentException repeated) {
            return new Result(Verdict.UNKNOWN, List.of(), List.of(), 0, repeated.getMessage());
        }
        long highest = parts.writes().stream().filter(op -> op.outcome() == Outcome.OK).mapToLong(op -> (Long) op.output())
                .max().orElse(0);
        List<Violation> violations = new ArrayList<>();
        WatchRules rules = new WatchRules(parts, violations);
        rules.order();
        rules.agreement();
        rules.noGap();
        rules.nothingInvented();
        rules.caughtUp(highest);
        if (!violations.isEmpty()) {
            return new Result(Verdict.INVALID, violations, parts.watchers(), highest, "");
        }
        if (parts.watchers().isEmpty()) {
            return new Result(Verdict.UNKNOWN, violations, parts.watchers(), highest, "no watch started");
        }
        return new Result(Verdict.VALID, violations, parts.watchers(), highest, "");
    }

    /** People-readable lines, a violation then its operations indented. */
    public static List<String> describe(List<Violation> violations) {
        List<String> lines = new ArrayList<>();
        for (Violation v : violations) {
            lines.add(v.rule().word() + ": " + v.what());
            v.ops().forEach(op -> lines.add("    " + op.describe()));
        }
        return lines;
    }
}

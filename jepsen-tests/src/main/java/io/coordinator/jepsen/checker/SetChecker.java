package io.coordinator.jepsen.checker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A set: {@code add v} (v a number or a string), and {@code read}s whose {@code ok} value is the list of
 * elements. For every read that succeeded:
 * <ul>
 * <li>lost: an element whose add was acknowledged before the read was invoked, missing from it;</li>
 * <li>unexpected: an element in it that no add invoked before the read returned could have put there
 * (an add that failed did not happen; one with an unknown outcome may have).</li>
 * </ul>
 * Adds concurrent with a read may or may not be in it. Without any successful read the verdict is
 * unknown: nothing was observed. Keys are separate sets.
 */
public final class SetChecker implements Vocabulary {
    /**
     * @param lost       per element lost, the read that missed it; element order of the history
     * @param unexpected per unexpected element, the first read that had it
     */
    public record Result(Verdict verdict, Map<Object, Operation> lost, Map<Object, Operation> unexpected, int reads, String reason) {
    }

    @Override
    public String name() {
        return "set";
    }

    @Override
    public Set<String> functions() {
        return Set.of("add", "read");
    }

    @Override
    public void checkInvocation(String f, Object value) {
        if (f.equals("add") && !Values.isScalar(value)) {
            throw new IllegalArgumentException("an add's value must be a number or a string, not " + Values.show(value));
        }
        if (f.equals("read") && value != null) {
            throw new IllegalArgumentException("a read's invocation value must be null, not " + Values.show(value));
        }
    }

    @Override
    public Object okOutput(String f, Object invocationValue, Object completionValue) {
        if (f.equals("add")) {
            return null;
        }
        if (!(completionValue instanceof List<?> elements) || !elements.stream().allMatch(Values::isScalar)) {
            throw new IllegalArgumentException("a read returns a list of numbers and strings, not " + Values.show(completionValue));
        }
        return completionValue;
    }

    public Result check(History history) {
        Map<Object, Operation> lost = new LinkedHashMap<>();
        Map<Object, Operation> unexpected = new LinkedHashMap<>();
        List<Operation> ops = history.operations();
        int reads = 0;
        for (Operation read : ops) {
            if (!read.f().equals("read") || read.outcome() != Outcome.OK) {
                continue;
            }
            reads++;
            Set<Object> seen = new LinkedHashSet<>((Collection<?>) read.output());
            Set<Object> possible = new LinkedHashSet<>();
            for (Operation add : ops) {
                if (!add.f().equals("add") || !Objects.equals(add.key(), read.key())) {
                    continue;
                }
                if (add.outcome() == Outcome.OK && add.returnLine() < read.callLine() && !seen.contains(add.input())) {
                    lost.putIfAbsent(add.input(), read);
                }
                if (add.outcome() != Outcome.FAIL && add.callLine() < read.returnLine()) {
                    possible.add(add.input());
                }
            }
            for (Object element : seen) {
                if (!possible.contains(element)) {
                    unexpected.putIfAbsent(element, read);
                }
            }
        }
        if (!lost.isEmpty() || !unexpected.isEmpty()) {
            return new Result(Verdict.INVALID, lost, unexpected, reads, "");
        }
        return reads == 0 ? new Result(Verdict.UNKNOWN, lost, unexpected, 0, "no read succeeded")
                : new Result(Verdict.VALID, lost, unexpected, reads, "");
    }

    /** People-readable lines for an invalid result. */
    public static List<String> describe(Result result) {
        List<String> lines = new ArrayList<>();
        result.lost().forEach((element, read) -> lines.add("lost " + Values.show(element) + ": acknowledged, missing from the read at "
                + read.describe()));
        result.unexpected().forEach((element, read) -> lines.add("unexpected " + Values.show(element)
                + ": never (successfully or possibly) added, in the read at " + read.describe()));
        return lines;
    }
}

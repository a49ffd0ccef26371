package io.coordinator.jepsen.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A small set of one key's operations that is not linearizable by itself, found in two steps, every
 * candidate verified by a full search:
 * <ol>
 * <li>The shortest prefix that is already not linearizable. The history cut just after the r-th return
 * keeps the operations invoked by then, those still pending becoming unknown. Cutting is monotone (a
 * linearization of a longer cut, restricted, is one of a shorter cut: operations invoked later take
 * effect after every operation completed by the cut, and only pending ones, which accept any state,
 * could see the difference), so binary search finds the first invalid cut.</li>
 * <li>From the operations of that cut, with their real outcomes (a known outcome only constrains more
 * than an unknown one, so this set is invalid as well), remove chunks and then single operations while
 * what is left stays invalid (delta debugging), until no single operation can go or the time is up. The
 * last operation that could have produced a value a kept one observed stays ({@link Model#observes}):
 * without it the set would still be invalid, but for a reason the real history does not have. (Other
 * such reasons remain possible, e.g. a failed compare-and-set left without the write that made it fail;
 * the set is then still a true counterexample, only a less telling one.)</li>
 * </ol>
 * Removal stops early at the deadline; the set returned is invalid either way, only perhaps not minimal.
 */
final class Counterexample {
    private Counterexample() {
    }

    static <S> List<Operation> find(LinearizabilityChecker<S> checker, List<Operation> ops, long deadlineNanos) {
        List<Operation> current = shortestInvalidPrefix(checker, ops, deadlineNanos);
        int chunk = Math.max(1, current.size() / 2);
        while (true) {
            boolean removed = false;
            for (int start = 0; start < current.size() && checker.now() - deadlineNanos < 0; ) {
                List<Operation> candidate = new ArrayList<>(current.subList(0, start));
                candidate.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
                if (!candidate.isEmpty() && keepsProducers(checker.model(), current, candidate)
                        && checker.search(candidate, deadlineNanos).verdict() == Verdict.INVALID) {
                    current = candidate;
                    removed = true;
                } else {
                    start += chunk;
                }
            }
            if (checker.now() - deadlineNanos >= 0 || chunk == 1 && !removed) {
                break;
            }
            chunk = removed ? chunk : Math.max(1, chunk / 2);
        }
        current = new ArrayList<>(current);
        current.sort(Comparator.comparingLong(Operation::callLine));
        return current;
    }

    /**
     * Whether, for every operation of {@code candidate} that observed a value, the last operation of
     * {@code current} invoked before that observer returned that could have produced the value is still
     * in {@code candidate}. Without it the set would still be invalid, but for a reason the real history
     * does not have: a read of a value nobody wrote, or a read made stale by dropping the write it saw.
     */
    private static boolean keepsProducers(Model<?> model, List<Operation> current, List<Operation> candidate) {
        Set<Integer> kept = new HashSet<>();
        candidate.forEach(op -> kept.add(op.id()));
        for (Operation observer : candidate) {
            for (Object value : model.observes(observer)) {
                Operation source = null;
                for (Operation op : current) {
                    if (op != observer && op.callLine() < observer.returnLine() && model.produces(op).contains(value)
                            && (source == null || op.callLine() > source.callLine())) {
                        source = op;
                    }
                }
                if (source != null && !kept.contains(source.id())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The operations (real outcomes) invoked before the first cut that is invalid; all of {@code ops} if none is verified. */
    private static <S> List<Operation> shortestInvalidPrefix(LinearizabilityChecker<S> checker, List<Operation> ops, long deadlineNanos) {
        List<Long> cuts = new ArrayList<>(new TreeSet<>(ops.stream().map(Operation::returnLine)
                .filter(line -> line != Operation.NEVER).toList()));
        // Invariant: the cut after cuts[hi] is invalid (the last one is: what follows it is all unknown).
        int lo = -1;
        int hi = cuts.size() - 1;
        while (hi - lo > 1 && checker.now() - deadlineNanos < 0) {
            int mid = (lo + hi) >>> 1;
            if (checker.search(cutAfter(checker, ops, cuts.get(mid)), deadlineNanos).verdict() == Verdict.INVALID) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        List<Operation> cut = cutAfter(checker, ops, cuts.get(hi));
        Map<Integer, Operation> real = ops.stream().collect(Collectors.toMap(Operation::id, Function.identity()));
        List<Operation> withRealOutcomes = cut.stream().map(op -> real.get(op.id())).toList();
        return checker.search(withRealOutcomes, deadlineNanos).verdict() == Verdict.INVALID ? withRealOutcomes : cut;
    }

    private static <S> List<Operation> cutAfter(LinearizabilityChecker<S> checker, List<Operation> ops, long line) {
        List<Operation> cut = new ArrayList<>();
        for (Operation op : ops) {
            if (op.callLine() <= line) {
                Operation pending = op.pendingAt(line + 1);
                if (checker.model().constrains(pending)) {
                    cut.add(pending);
                }
            }
        }
        return cut;
    }
}

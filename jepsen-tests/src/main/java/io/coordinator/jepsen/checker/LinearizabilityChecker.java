package io.coordinator.jepsen.checker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Checks a history against a {@link Model} for linearizability, one key at a time: linearizability is
 * compositional (Herlihy and Wing), so a history is linearizable exactly when each key's sub-history is,
 * and the search per key is exponentially smaller. When a key is not linearizable, it also finds a small
 * set of that key's operations that is not linearizable by itself ({@link Counterexample}).
 */
public final class LinearizabilityChecker<S> {
    /**
     * The verdict on a whole history.
     *
     * @param key            the key the verdict was decided on when it is not valid (the first invalid
     *                       key, else the first unknown one); {@code null} when valid or when the history
     *                       names no key
     * @param counterexample when invalid: operations of {@code key} that are not linearizable by themselves,
     *                       in invocation order; empty otherwise
     * @param reason         when unknown: why
     * @param keys           how many keys the history has
     */
    public record Result(Verdict verdict, String key, List<Operation> counterexample, String reason, int keys) {
        public Result {
            counterexample = List.copyOf(counterexample);
        }
    }

    private final Model<S> model;
    private final LongSupplier clock;
    private final long memoWordsMax;

    /** With the system's nano clock and a memo bound of a quarter of the heap. */
    public LinearizabilityChecker(Model<S> model) {
        this(model, System::nanoTime, Runtime.getRuntime().maxMemory() / 4 / 8);
    }

    public LinearizabilityChecker(Model<S> model, LongSupplier nanoClock, long memoWordsMax) {
        this.model = Objects.requireNonNull(model);
        this.clock = Objects.requireNonNull(nanoClock);
        this.memoWordsMax = memoWordsMax;
    }

    public Model<S> model() {
        return model;
    }

    /**
     * @param timeLimit   for the whole history; past it a key not yet decided is unknown
     * @param shrinkLimit for finding a small counterexample once a key is invalid, on top of
     *                    {@code timeLimit}; the counterexample found by then is reported (it is always
     *                    verified not linearizable, only perhaps not the smallest)
     */
    public Result check(History history, Duration timeLimit, Duration shrinkLimit) {
        long deadline = clock.getAsLong() + timeLimit.toNanos();
        Map<String, List<Operation>> byKey = partition(history.operations());
        Result firstUnknown = null;
        for (Map.Entry<String, List<Operation>> entry : byKey.entrySet()) {
            List<Operation> ops = entry.getValue();
            LinearizabilitySearch.Result result = search(ops, deadline);
            if (result.verdict() == Verdict.INVALID) {
                List<Operation> counterexample = Counterexample.find(this, ops, clock.getAsLong() + shrinkLimit.toNanos());
                return new Result(Verdict.INVALID, entry.getKey(), counterexample, "", byKey.size());
            }
            if (result.verdict() == Verdict.UNKNOWN && firstUnknown == null) {
                // Other keys go on: one small enough to finish before its first look at the clock may still be invalid.
                firstUnknown = new Result(Verdict.UNKNOWN, entry.getKey(), List.of(), (entry.getKey() == null ? ""
                        : "key " + entry.getKey() + ": ") + result.reason(), byKey.size());
            }
        }
        return firstUnknown != null ? firstUnknown : new Result(Verdict.VALID, null, List.of(), "", byKey.size());
    }

    /** The operations that constrain anything, by key in order of first appearance, each key's in invocation order. */
    Map<String, List<Operation>> partition(List<Operation> operations) {
        Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (Operation op : operations) {
            if (model.constrains(op)) {
                byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        return byKey;
    }

    /** One key's verdict; {@code ops} must all constrain. */
    LinearizabilitySearch.Result search(List<Operation> ops, long deadlineNanos) {
        List<Operation> sorted = new ArrayList<>(ops);
        sorted.sort(Comparator.comparingLong(Operation::callLine));
        return LinearizabilitySearch.run(model, sorted, clock, deadlineNanos, memoWordsMax);
    }

    long now() {
        return clock.getAsLong();
    }
}

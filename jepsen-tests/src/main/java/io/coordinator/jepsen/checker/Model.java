package io.coordinator.jepsen.checker;

import java.util.List;

/**
 * A sequential specification for the linearizability search: a state and a step function. States are
 * compared with {@code equals} and hashed (the search memoises them), so they must be immutable values.
 *
 * @param <S> the state; never {@code null}
 */
public interface Model<S> extends Vocabulary {
    /**
     * Whether an operation constrains the history at all. Those that do not (a read that failed, or
     * whose result is unknown) are dropped before the search.
     */
    boolean constrains(Operation op);

    S initialState();

    /**
     * The state after {@code op} takes effect in {@code state}, or {@code null} when {@code op}, with the
     * outcome and output it has, cannot happen in {@code state}. An operation with an unknown outcome
     * must be accepted in every state (it may have had no effect): the search relies on that to stop as
     * soon as every operation with a known outcome is placed.
     */
    S step(S state, Operation op);

    /**
     * The values {@code op} saw that some other operation must have put there (a read's result, the
     * expected value of a compare-and-set that swapped). Used only to keep counterexamples meaningful:
     * an operation that produced such a value is not removed while its observer stays.
     */
    default List<Object> observes(Operation op) {
        return List.of();
    }

    /** The values {@code op} may have put in place, for {@link #observes}. */
    default List<Object> produces(Operation op) {
        return List.of();
    }
}

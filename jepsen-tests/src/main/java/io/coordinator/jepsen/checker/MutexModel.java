package io.coordinator.jepsen.checker;

import java.util.Set;

/**
 * A lock per key with fencing tokens: {@code acquire} (an {@code ok} completion's value is the fencing
 * token it was granted, an integer, or null when the lock hands out none) and {@code release}, by the
 * holding process. Two processes never hold it at once, a release by a process that does not hold it
 * cannot succeed, and each grant's token is greater than every earlier grant's. An acquire or release
 * that fails did not happen; one with an unknown outcome took effect where it is placed if it could
 * (the lock was free, or held by that process) and otherwise not: it is placed only where it can.
 *
 * <p>Histories name processes, so a client that reconnects as another process cannot release its lock:
 * write a history with one process per lock holder, as Jepsen does.
 */
public final class MutexModel implements Model<MutexModel.State> {
    /** @param holder the process holding the lock, or null; @param lastToken the latest grant's token, or null */
    public record State(String holder, Long lastToken) {
    }

    private static final State FREE = new State(null, null);

    @Override
    public String name() {
        return "mutex";
    }

    @Override
    public Set<String> functions() {
        return Set.of("acquire", "release");
    }

    @Override
    public void checkInvocation(String f, Object value) {
        if (value != null && !Values.isScalar(value)) {
            throw new IllegalArgumentException("an " + f + "'s invocation value, if any, must be a number or a string");
        }
    }

    @Override
    public Object okOutput(String f, Object invocationValue, Object completionValue) {
        if (f.equals("release")) {
            return null;
        }
        if (completionValue != null && !(completionValue instanceof Long)) {
            throw new IllegalArgumentException("a fencing token must be an integer, not " + Values.show(completionValue));
        }
        return completionValue;
    }

    @Override
    public boolean constrains(Operation op) {
        return op.outcome() != Outcome.FAIL;
    }

    @Override
    public State initialState() {
        return FREE;
    }

    /**
     * An operation of unknown outcome is placed only where it takes effect: one that would change
     * nothing (an acquire while the lock is held, a release by another process) is the same as one that
     * never happened, which the search allows by leaving it out. Not offering the no-op placements keeps
     * a long history's search from trying each of them at every point (a 30-minute run's lock history,
     * 20,000 operations, exhausted the memo bound before this).
     */
    @Override
    public State step(State state, Operation op) {
        if (op.f().equals("acquire")) {
            if (state.holder() != null) {
                return null;
            }
            Long token = (Long) op.output();
            if (token == null) {
                return new State(op.process(), state.lastToken());
            }
            return state.lastToken() == null || token > state.lastToken() ? new State(op.process(), token) : null;
        }
        return op.process().equals(state.holder()) ? new State(null, state.lastToken()) : null;
    }
}

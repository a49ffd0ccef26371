package io.coordinator.jepsen.checker;

import java.util.List;
import java.util.Set;

/**
 * A register that starts absent: {@code read} (invocation value null; {@code ok} value = the value
 * read, null = absent), {@code write v}, {@code cas [expected, new]}. A compare-and-set that ends
 * {@code fail} observed a value other than {@code expected} and changed nothing; one with an unknown
 * outcome swaps if and only if the register holds {@code expected} where it is placed (placing it last
 * is the same as it never happening). A read that fails, or whose result is unknown, constrains nothing;
 * a write that fails did not happen.
 *
 * <p>The state is the value held, or {@link #ABSENT}.
 */
public final class RegisterModel implements Model<Object> {
    /** The state of a register nobody has written. */
    public static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "absent";
        }
    };

    @Override
    public String name() {
        return "register";
    }

    @Override
    public Set<String> functions() {
        return Set.of("read", "write", "cas");
    }

    @Override
    public void checkInvocation(String f, Object value) {
        switch (f) {
            case "read" -> {
                if (value != null) {
                    throw new IllegalArgumentException("a read's invocation value must be null, not " + Values.show(value));
                }
            }
            case "write" -> {
                if (!Values.isScalar(value)) {
                    throw new IllegalArgumentException("a write's value must be a number or a string, not " + Values.show(value));
                }
            }
            case "cas" -> {
                if (!(value instanceof List<?> pair) || pair.size() != 2 || !Values.isScalar(pair.get(0))
                        || !Values.isScalar(pair.get(1))) {
                    throw new IllegalArgumentException("a cas value must be [expected, new], two numbers or strings, not "
                            + Values.show(value));
                }
            }
            default -> throw new IllegalArgumentException("unknown f " + f);
        }
    }

    @Override
    public Object okOutput(String f, Object invocationValue, Object completionValue) {
        if (!f.equals("read")) {
            return null; // Jepsen repeats the invocation's value; the invocation's is the one that counts
        }
        if (completionValue != null && !Values.isScalar(completionValue)) {
            throw new IllegalArgumentException("a read returns a number, a string or null, not " + Values.show(completionValue));
        }
        return completionValue;
    }

    @Override
    public boolean constrains(Operation op) {
        return switch (op.f()) {
            case "read" -> op.outcome() == Outcome.OK;
            case "write" -> op.outcome() != Outcome.FAIL;
            default -> true;
        };
    }

    @Override
    public Object initialState() {
        return ABSENT;
    }

    @Override
    public Object step(Object state, Operation op) {
        switch (op.f()) {
            case "read" -> {
                Object read = op.output() == null ? ABSENT : op.output();
                return read.equals(state) ? state : null;
            }
            case "write" -> {
                return op.input();
            }
            case "cas" -> {
                List<?> pair = (List<?>) op.input();
                boolean matches = pair.get(0).equals(state);
                return switch (op.outcome()) {
                    case OK -> matches ? pair.get(1) : null;
                    case FAIL -> matches ? null : state;
                    case UNKNOWN -> matches ? pair.get(1) : state;
                };
            }
            default -> throw new IllegalArgumentException("unknown f " + op.f());
        }
    }

    @Override
    public List<Object> observes(Operation op) {
        if (op.f().equals("read") && op.outcome() == Outcome.OK && op.output() != null) {
            return List.of(op.output());
        }
        if (op.f().equals("cas") && op.outcome() == Outcome.OK) {
            return List.of(((List<?>) op.input()).get(0));
        }
        return List.of();
    }

    @Override
    public List<Object> produces(Operation op) {
        return switch (op.f()) {
            case "write" -> List.of(op.input());
            case "cas" -> op.outcome() == Outcome.FAIL ? List.of() : List.of(((List<?>) op.input()).get(1));
            default -> List.of();
        };
    }
}

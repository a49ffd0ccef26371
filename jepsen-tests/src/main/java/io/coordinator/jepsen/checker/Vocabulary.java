package io.coordinator.jepsen.checker;

import java.util.Set;

/** The functions a history may name for one model, and the values they take. Checked while parsing. */
public interface Vocabulary {
    /** As given to {@code check --model}. */
    String name();

    Set<String> functions();

    /** @throws IllegalArgumentException naming what is wrong with an invocation's value */
    void checkInvocation(String f, Object value);

    /**
     * What an {@code ok} completion observed, to keep as {@link Operation#output()}.
     *
     * @throws IllegalArgumentException naming what is wrong with the completion's value
     */
    Object okOutput(String f, Object invocationValue, Object completionValue);
}

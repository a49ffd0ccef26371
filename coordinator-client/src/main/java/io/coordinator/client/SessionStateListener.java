package io.coordinator.client;

/**
 * Told of every change of {@link SessionState}, in order, on the client's callback executor (never on
 * an I/O thread). A listener that blocks delays the next notification, not the client.
 */
@FunctionalInterface
public interface SessionStateListener {
    void stateChanged(SessionState state);
}

package io.coordinator.client.impl;

import io.coordinator.client.SessionState;
import io.coordinator.client.SessionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The client's {@link SessionState} and its listeners. Transitions come from the I/O thread; the
 * listeners hear them, one at a time and in order, on the callback executor.
 */
final class StateTracker {
    private static final Logger log = LoggerFactory.getLogger(StateTracker.class);

    private final List<SessionStateListener> listeners = new CopyOnWriteArrayList<>();
    private final Executor executor;
    private final ArrayDeque<SessionState> undelivered = new ArrayDeque<>();
    private boolean delivering;
    private SessionState state;

    StateTracker(Executor executor) {
        this.executor = executor;
    }

    synchronized SessionState state() {
        return state;
    }

    void addListener(SessionStateListener listener) {
        listeners.add(listener);
    }

    void removeListener(SessionStateListener listener) {
        listeners.remove(listener);
    }

    /**
     * A session was opened: the first one, or a fresh one after LOST. Either way CONNECTED: the
     * client holds a new session that owns nothing yet (see {@link SessionState}).
     */
    void sessionOpened() {
        move(SessionState.CONNECTED, null);
    }

    /** Without sessions: a connection is up. */
    void connectionUp() {
        SessionState now = state();
        if (now == null) {
            move(SessionState.CONNECTED, null);
        } else if (now == SessionState.SUSPENDED) {
            move(SessionState.RECONNECTED, SessionState.SUSPENDED);
        }
    }

    /** The same session was attached and renewed on a connection after a suspension. */
    void sessionConfirmed() {
        move(SessionState.RECONNECTED, SessionState.SUSPENDED);
    }

    void connectionLost() {
        SessionState now = state();
        if (now == SessionState.CONNECTED || now == SessionState.RECONNECTED) {
            move(SessionState.SUSPENDED, now);
        }
    }

    void sessionLost() {
        move(SessionState.LOST, null);
    }

    /** Moves to {@code to} if the state is {@code from} (any state when null) and not already {@code to}. */
    private void move(SessionState to, SessionState from) {
        synchronized (this) {
            if (state == to || (from != null && state != from)) {
                return;
            }
            log.info("session state {} -> {}", state, to);
            state = to;
            undelivered.addLast(to);
            if (delivering) {
                return;
            }
            delivering = true;
        }
        try {
            executor.execute(this::deliver);
        } catch (RejectedExecutionException e) {
            deliver();
        }
    }

    private void deliver() {
        while (true) {
            SessionState next;
            synchronized (this) {
                next = undelivered.pollFirst();
                if (next == null) {
                    delivering = false;
                    return;
                }
            }
            for (SessionStateListener listener : listeners) {
                try {
                    listener.stateChanged(next);
                } catch (RuntimeException e) {
                    log.warn("session state listener failed on {}", next, e);
                }
            }
        }
    }
}

package io.coordinator.core.tree;

import java.util.ArrayDeque;

/**
 * The inverse of every change since the last commit, newest first: rolling back replays them, so a
 * failed transaction leaves the tree exactly as it found it.
 */
final class UndoLog {

    private final ArrayDeque<Runnable> inverses = new ArrayDeque<>();

    void record(Runnable inverse) {
        inverses.push(inverse);
    }

    boolean isEmpty() {
        return inverses.isEmpty();
    }

    void clear() {
        inverses.clear();
    }

    void rollback() {
        while (!inverses.isEmpty()) {
            inverses.pop().run();
        }
    }
}

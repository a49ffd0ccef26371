package io.coordinator.client.watch;

import io.coordinator.client.CoordinatorException;

/**
 * Hears one watch. Calls come on the client's callback executor, never its I/O thread, one at a
 * time per watch and in revision order; a slow listener delays only its own watch. Exceptions it
 * throws are logged and otherwise ignored.
 */
@FunctionalInterface
public interface WatchListener {

    /**
     * The events of one revision that match the watch, all of them at once. Revisions come in
     * increasing order, each at most once, none skipped, across reconnects to other members.
     */
    void onEvents(WatchEvents events);

    /**
     * The watch has ended and will deliver nothing more: COMPACTED (a
     * {@link WatchCompactedException}: the revisions it needs are gone from the member's history;
     * re-read and watch again from {@link WatchCompactedException#oldestRevision()} or later), or
     * another typed failure met while resuming it. Not called for {@link Watch#close()}, for a
     * one-shot that fired, or when the client closes.
     */
    default void onError(CoordinatorException error) {
    }
}

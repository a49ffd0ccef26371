package io.coordinator.client.watch;

import io.coordinator.core.api.WatchEvent;

import java.util.List;

/**
 * Everything of one revision that a watch wanted, in the order the state machine made the changes.
 *
 * @param revision the revision of every event here
 */
public record WatchEvents(long revision, List<WatchEvent> events) {
    public WatchEvents {
        events = List.copyOf(events);
    }
}

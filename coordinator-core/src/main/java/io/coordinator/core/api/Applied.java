package io.coordinator.core.api;

import java.util.List;

/**
 * What one apply produced: the response for the caller and the events for watchers.
 *
 * @param revision the state's revision after the command (for a read: the revision it reflects)
 */
public record Applied(long revision, Response response, List<WatchEvent> events) {
    public Applied {
        events = List.copyOf(events);
    }
}

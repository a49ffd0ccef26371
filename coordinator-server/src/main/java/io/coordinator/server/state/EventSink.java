package io.coordinator.server.state;

import io.coordinator.core.api.WatchEvent;

import java.util.List;

/** Receives the tree's changes in revision order, on the thread that applies the log. */
@FunctionalInterface
public interface EventSink {
    EventSink NONE = events -> { };

    void accept(List<WatchEvent> events);
}

package io.coordinator.server.watch;

import io.coordinator.protocol.message.ServerMessage;

/**
 * Where one client's watch traffic goes: a connection of the binary port, or a streaming HTTP
 * response of the gateway ({@code http.WatchStream}). {@link WatchHub} calls these under its lock, from the thread that applies the log
 * among others, so an implementation must not block and must not call back into the hub. Answers
 * and pushes must leave in the order of the calls, and in order with every other answer the client
 * gets on the same connection: that is what puts an event before any answer of a later revision.
 */
public interface WatchOutput {

    /** The answer to request {@code requestId} (a Watch or an Unwatch). */
    void respond(long requestId, ServerMessage message);

    /** An unsolicited message of watch {@code watchId}: a notification, or the watch's end. */
    void push(long watchId, ServerMessage message);
}

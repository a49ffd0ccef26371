package io.coordinator.protocol.message;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.coordinator.core.api.Request;

import java.util.Objects;

/** What a client sends in a REQUEST frame. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClientMessage.Call.class, name = "call"),
        @JsonSubTypes.Type(value = ClientMessage.StatusQuery.class, name = "status"),
        @JsonSubTypes.Type(value = ClientMessage.AttachSession.class, name = "attachSession"),
        @JsonSubTypes.Type(value = ClientMessage.Watch.class, name = "watch"),
        @JsonSubTypes.Type(value = ClientMessage.Unwatch.class, name = "unwatch"),
})
public sealed interface ClientMessage {

    /**
     * A command for the state machine.
     *
     * @param consistency how a read is served; ignored for writes, which always go through the log
     * @param minRevision a serializable read is never answered from a state older than this
     */
    record Call(Request request, Consistency consistency, long minRevision) implements ClientMessage {
        public Call {
            Objects.requireNonNull(request, "request");
            consistency = consistency == null ? Consistency.LINEARIZABLE : consistency;
        }
    }

    /** Asks the member for its view of itself and the cluster. */
    record StatusQuery() implements ClientMessage {
    }

    /**
     * Claims a session for this connection by proving its secret. A connection may use a session (a
     * Call with its id, KeepAlive or CloseSession of it) only once attached; a session opened on
     * the connection is attached to it already. The member checks the claim against the replicated
     * state with a linearizable read of {@code Command.CheckSession}, and answers with that read's
     * {@link ServerMessage.Reply}: {@code SessionChecked} (attached), or a Failure SESSION_EXPIRED
     * (unknown, closed or expired), UNAUTHORIZED (wrong secret), UNAVAILABLE or TIMEOUT (not
     * attached; try again, here or elsewhere). Attaching renews nothing: send a KeepAlive after it.
     */
    record AttachSession(long sessionId, long secret) implements ClientMessage {
    }

    /**
     * Starts a watch on this connection. Its id is the request id of this message; the member
     * answers {@link ServerMessage.WatchStarted} or {@link ServerMessage.WatchFailed}, then pushes
     * {@link ServerMessage.WatchNotification}s in EVENT frames with that id. The watch ends with the
     * connection, with {@link Unwatch}, or after its first notification for a one-shot kind.
     *
     * @param fromRevision deliver every matching event of this revision and later; 0 for the
     *                     member's next revision ("from now")
     */
    record Watch(String path, WatchKind kind, long fromRevision) implements ClientMessage {
        public Watch {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** Ends the watch started by the Watch request {@code watchId} on this connection; answered with {@link ServerMessage.Unwatched}. */
    record Unwatch(long watchId) implements ClientMessage {
    }
}

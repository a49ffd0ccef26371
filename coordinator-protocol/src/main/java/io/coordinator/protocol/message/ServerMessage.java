package io.coordinator.protocol.message;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.WatchEvent;

import java.util.List;
import java.util.Objects;

/** What a member sends in a RESPONSE, EVENT or ERROR frame. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ServerMessage.Reply.class, name = "reply"),
        @JsonSubTypes.Type(value = ServerMessage.StatusReply.class, name = "status"),
        @JsonSubTypes.Type(value = ServerMessage.ProtocolError.class, name = "error"),
        @JsonSubTypes.Type(value = ServerMessage.WatchStarted.class, name = "watchStarted"),
        @JsonSubTypes.Type(value = ServerMessage.WatchFailed.class, name = "watchFailed"),
        @JsonSubTypes.Type(value = ServerMessage.WatchNotification.class, name = "watchNotification"),
        @JsonSubTypes.Type(value = ServerMessage.Unwatched.class, name = "unwatched"),
})
public sealed interface ServerMessage {

    /** @param revision the revision the response reflects */
    record Reply(long revision, Response response) implements ServerMessage {
        public Reply {
            Objects.requireNonNull(response, "response");
        }
    }

    /** @param self the answering member; @param members every configured member as this one sees it */
    record StatusReply(MemberStatus self, List<String> members) implements ServerMessage {
        public StatusReply {
            members = List.copyOf(members == null ? List.of() : members);
        }
    }

    /** The request (or, in an ERROR frame, the connection) could not be handled at the protocol level. */
    record ProtocolError(ErrorCode code, String message) implements ServerMessage {
    }

    /**
     * Answer to {@link ClientMessage.Watch}: the watch is live. Every matching event from
     * {@code fromRevision} on follows in EVENT frames, those up to {@code revision} (already in the
     * member's history) right away.
     *
     * @param fromRevision the first revision the watch covers (the request's, or the member's next one for 0)
     * @param revision     the member's revision when the watch started
     */
    record WatchStarted(long watchId, long fromRevision, long revision) implements ServerMessage {
    }

    /**
     * A watch did not start (RESPONSE to its Watch request) or has ended (EVENT frame).
     * COMPACTED: its revision is older than the member's history; {@code oldestRevision} is the
     * oldest one it still has, so the client can re-read and watch from there. BAD_ARGUMENTS: a
     * revision from the future (beyond {@code revision} + 1 after a bounded wait), a duplicate id, or
     * a negative revision. TOO_LARGE: the connection holds the most watches it may. INVALID_PATH.
     *
     * @param oldestRevision the oldest revision the member's history still covers
     * @param revision       the member's revision at the time
     */
    record WatchFailed(long watchId, ErrorCode code, String message, long oldestRevision, long revision)
            implements ServerMessage {
        public WatchFailed {
            Objects.requireNonNull(code, "code");
        }
    }

    /**
     * The events of one revision that match a watch, in an EVENT frame whose request id is the watch
     * id; in revision order per watch, with no gaps and no duplicates. A revision's events go in one
     * frame; only when they would exceed the frame limit are they split over consecutive frames, each
     * but the last with {@code continued} set.
     */
    record WatchNotification(long watchId, long revision, List<WatchEvent> events, boolean continued)
            implements ServerMessage {
        public WatchNotification {
            events = List.copyOf(events);
        }
    }

    /** Answer to {@link ClientMessage.Unwatch}; {@code found} is false for an unknown or finished watch. */
    record Unwatched(long watchId, boolean found) implements ServerMessage {
    }
}

package io.coordinator.protocol.message;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;

import java.util.List;
import java.util.Objects;

/** What a member sends in a RESPONSE, EVENT or ERROR frame. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ServerMessage.Reply.class, name = "reply"),
        @JsonSubTypes.Type(value = ServerMessage.StatusReply.class, name = "status"),
        @JsonSubTypes.Type(value = ServerMessage.ProtocolError.class, name = "error"),
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
}

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
}

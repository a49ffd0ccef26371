package io.coordinator.protocol.wire;

import java.util.Objects;

/**
 * One frame of the binary protocol:
 * {@code int32 length | byte version | byte kind | int64 requestId | payload}, where length counts
 * every byte after itself. The payload is one Smile-encoded message.
 */
public record Frame(Kind kind, long requestId, byte[] payload) {

    public static final byte VERSION = 1;
    /** version + kind + requestId */
    public static final int HEADER_BYTES = 1 + 1 + 8;
    public static final int LENGTH_BYTES = 4;

    public enum Kind {
        /** client to member: a request the member answers with a RESPONSE of the same id */
        REQUEST(1),
        RESPONSE(2),
        /** member to client, unsolicited: a watch notification (request id of the watch) */
        EVENT(3),
        /** member to client: the connection is broken beyond repair and is about to be closed */
        ERROR(4);

        private final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }

        public byte code() {
            return code;
        }

        public static Kind of(byte code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            return null;
        }
    }

    public Frame {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(payload, "payload");
    }
}

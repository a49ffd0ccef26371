package io.coordinator.server.state;

import io.coordinator.core.api.Command;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The layout of one log entry (and of the reply to it): many payloads packed together, so that the
 * log's cost is paid per batch, not per request. A client's payload is kept as the bytes it sent:
 * encoded once, never re-encoded on the way into the log.
 *
 * <p>Each item says who proposed it, in a byte the member writes around the payload: a client's
 * bytes can never make an item look like the leader's duties. Those duties' commands
 * (LeaderChanged, Tick) are not client messages at all: they have a fixed binary form of their own.
 *
 * <pre>
 * entry, version 2:   byte 'B' | byte 2 | int32 count | count x (byte kind | int32 length | bytes)
 *                     kind 'C': a client's ClientMessage.Call, Smile, as the client sent it
 *                     kind 'D': the leader's duties: byte 'L' (LeaderChanged) or 'T' (Tick) | int64 term
 * entry, version 1:   byte 'B' | byte 1 | int32 count | count x (int32 length | bytes)
 *                     (written before items had a kind; still read, for logs written then)
 * replies:            the version 1 layout, one encoded ServerMessage.Reply per item, in entry order
 * </pre>
 */
public final class LogBatch {
    private static final byte MAGIC = 'B';
    private static final byte VERSION_UNTAGGED = 1;
    private static final byte VERSION = 2;
    private static final int HEADER_BYTES = 2 + 4;
    private static final byte LEADER_CHANGED = 'L';
    private static final byte TICK = 'T';
    private static final int INTERNAL_BYTES = 1 + 8;

    private LogBatch() {
    }

    /** Who proposed an item. */
    public enum Kind {
        /** A client's call. */
        CLIENT('C'),
        /** The leader's duties. */
        LEADER_DUTIES('D'),
        /** A call from a version 1 entry, written before items said who proposed them. */
        UNTAGGED(0);

        private final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }

        static Kind of(byte code) {
            for (Kind kind : values()) {
                if (kind != UNTAGGED && kind.code == code) {
                    return kind;
                }
            }
            return null;
        }
    }

    /** One item of an entry. */
    public record Item(Kind kind, byte[] payload) {
        public Item {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(payload, "payload");
        }

        public static Item client(byte[] call) {
            return new Item(Kind.CLIENT, call);
        }

        public static Item duty(Command.InternalCommand command) {
            return new Item(Kind.LEADER_DUTIES, encodeInternal(command));
        }
    }

    /** An entry of the current version; {@link Kind#UNTAGGED} items cannot be written any more. */
    public static byte[] encode(List<Item> items) {
        int size = HEADER_BYTES;
        for (Item item : items) {
            if (item.kind() == Kind.UNTAGGED) {
                throw new IllegalArgumentException("an item says who proposed it");
            }
            size += 1 + 4 + item.payload().length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put(MAGIC).put(VERSION).putInt(items.size());
        for (Item item : items) {
            buffer.put(item.kind().code).putInt(item.payload().length).put(item.payload());
        }
        return buffer.array();
    }

    /** @throws IllegalArgumentException for bytes that are not an entry (deterministically on every member) */
    public static List<Item> decode(byte[] bytes) {
        ByteBuffer buffer = header(bytes);
        byte version = bytes[1];
        if (version != VERSION && version != VERSION_UNTAGGED) {
            throw new IllegalArgumentException("not a log batch of version " + VERSION_UNTAGGED + " or " + VERSION);
        }
        int count = buffer.getInt();
        int itemBytesMin = version == VERSION ? 5 : 4;
        if (count < 0 || count > buffer.remaining() / itemBytesMin) {
            throw new IllegalArgumentException("log batch count " + count + " does not fit its bytes");
        }
        List<Item> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Kind kind = Kind.UNTAGGED;
            if (version == VERSION) {
                if (!buffer.hasRemaining() || (kind = Kind.of(buffer.get())) == null) {
                    throw new IllegalArgumentException("log batch item " + i + " has no known kind");
                }
            }
            items.add(new Item(kind, payload(buffer, i)));
        }
        trailing(buffer);
        return items;
    }

    /** Replies, one per item of the entry, in its order. */
    public static byte[] encodeReplies(List<byte[]> replies) {
        int size = HEADER_BYTES;
        for (byte[] reply : replies) {
            size += 4 + reply.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put(MAGIC).put(VERSION_UNTAGGED).putInt(replies.size());
        for (byte[] reply : replies) {
            buffer.putInt(reply.length).put(reply);
        }
        return buffer.array();
    }

    /** @throws IllegalArgumentException for bytes that are not a batch of replies */
    public static List<byte[]> decodeReplies(byte[] bytes) {
        ByteBuffer buffer = header(bytes);
        if (bytes[1] != VERSION_UNTAGGED) {
            throw new IllegalArgumentException("not a batch of replies");
        }
        int count = buffer.getInt();
        if (count < 0 || count > buffer.remaining() / 4) {
            throw new IllegalArgumentException("reply batch count " + count + " does not fit its bytes");
        }
        List<byte[]> replies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            replies.add(payload(buffer, i));
        }
        trailing(buffer);
        return replies;
    }

    static byte[] encodeInternal(Command.InternalCommand command) {
        ByteBuffer buffer = ByteBuffer.allocate(INTERNAL_BYTES);
        // Java 17 has no pattern switch yet; InternalCommand is sealed, so these are all there is.
        if (command instanceof Command.LeaderChanged leaderChanged) {
            buffer.put(LEADER_CHANGED).putLong(leaderChanged.term());
        } else {
            buffer.put(TICK).putLong(((Command.Tick) command).term());
        }
        return buffer.array();
    }

    /** @throws IllegalArgumentException for bytes that are not an internal command */
    static Command.InternalCommand decodeInternal(byte[] payload) {
        if (payload.length != INTERNAL_BYTES) {
            throw new IllegalArgumentException("an internal command is " + INTERNAL_BYTES + " bytes, not " + payload.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(payload);
        byte kind = buffer.get();
        long term = buffer.getLong();
        if (kind == LEADER_CHANGED) {
            return new Command.LeaderChanged(term);
        }
        if (kind == TICK) {
            return new Command.Tick(term);
        }
        throw new IllegalArgumentException("unknown internal command " + kind);
    }

    private static ByteBuffer header(byte[] bytes) {
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("log batch shorter than its header");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.get() != MAGIC) {
            throw new IllegalArgumentException("not a log batch");
        }
        buffer.get();
        return buffer;
    }

    private static byte[] payload(ByteBuffer buffer, int i) {
        if (buffer.remaining() < 4) {
            throw new IllegalArgumentException("log batch truncated at item " + i);
        }
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) {
            throw new IllegalArgumentException("log batch item " + i + " has a bad length " + length);
        }
        byte[] payload = new byte[length];
        buffer.get(payload);
        return payload;
    }

    private static void trailing(ByteBuffer buffer) {
        if (buffer.hasRemaining()) {
            throw new IllegalArgumentException("log batch has " + buffer.remaining() + " trailing bytes");
        }
    }
}

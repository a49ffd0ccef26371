package io.coordinator.server.state;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The layout of one log entry (and of the reply to it): many client payloads packed together, so
 * that the log's cost is paid per batch, not per request. Payloads are kept as the bytes the client
 * sent: encoded once, never re-encoded on the way into the log.
 *
 * <pre>byte magic 'B' | byte version 1 | int32 count | count x (int32 length | bytes)</pre>
 */
public final class LogBatch {
    private static final byte MAGIC = 'B';
    private static final byte VERSION = 1;
    private static final int HEADER_BYTES = 2 + 4;

    private LogBatch() {
    }

    public static byte[] encode(List<byte[]> payloads) {
        int size = HEADER_BYTES;
        for (byte[] payload : payloads) {
            size += 4 + payload.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put(MAGIC).put(VERSION).putInt(payloads.size());
        for (byte[] payload : payloads) {
            buffer.putInt(payload.length).put(payload);
        }
        return buffer.array();
    }

    /** @throws IllegalArgumentException for bytes that are not a batch (deterministically on every member) */
    public static List<byte[]> decode(byte[] bytes) {
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("log batch shorter than its header");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.get() != MAGIC || buffer.get() != VERSION) {
            throw new IllegalArgumentException("not a log batch of version " + VERSION);
        }
        int count = buffer.getInt();
        if (count < 0 || count > buffer.remaining() / 4) {
            throw new IllegalArgumentException("log batch count " + count + " does not fit its bytes");
        }
        List<byte[]> payloads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (buffer.remaining() < 4) {
                throw new IllegalArgumentException("log batch truncated at item " + i);
            }
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalArgumentException("log batch item " + i + " has a bad length " + length);
            }
            byte[] payload = new byte[length];
            buffer.get(payload);
            payloads.add(payload);
        }
        if (buffer.hasRemaining()) {
            throw new IllegalArgumentException("log batch has " + buffer.remaining() + " trailing bytes");
        }
        return payloads;
    }
}

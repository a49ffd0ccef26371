package io.coordinator.core.snapshot;

import io.coordinator.core.api.Stat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/** Primitive encodings shared by the snapshot and its response codec; every one is exact and canonical. */
final class Codec {

    private static final int CHUNK = 1 << 16;

    private Codec() {
    }

    /** UTF-16 code units, so that any Java string (even a malformed one in a message) round-trips exactly. */
    static void writeString(DataOutput out, String s) throws IOException {
        out.writeInt(s.length());
        out.writeChars(s);
    }

    static String readString(DataInput in) throws IOException {
        int length = readCount(in, "string length");
        // Grows as characters arrive, so a corrupt length fails at the end of the input, not in the allocator.
        StringBuilder out = new StringBuilder(Math.min(length, CHUNK));
        for (int i = 0; i < length; i++) {
            out.append(in.readChar());
        }
        return out.toString();
    }

    static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInput in) throws IOException {
        int length = readCount(in, "byte array length");
        byte[] bytes = new byte[Math.min(length, CHUNK)];
        int read = 0;
        while (read < length) {
            if (read == bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(length, 2L * bytes.length));
            }
            int step = bytes.length - read;
            in.readFully(bytes, read, step);
            read += step;
        }
        return bytes;
    }

    static void writeStat(DataOutput out, Stat stat) throws IOException {
        out.writeLong(stat.createRevision());
        out.writeLong(stat.modRevision());
        out.writeInt(stat.version());
        out.writeInt(stat.cversion());
        out.writeLong(stat.ephemeralOwner());
        out.writeInt(stat.dataLength());
        out.writeInt(stat.numChildren());
        out.writeLong(stat.ctimeMillis());
        out.writeLong(stat.mtimeMillis());
    }

    static Stat readStat(DataInput in) throws IOException {
        return new Stat(in.readLong(), in.readLong(), in.readInt(), in.readInt(), in.readLong(), in.readInt(),
                in.readInt(), in.readLong(), in.readLong());
    }

    static void writeNullableStat(DataOutput out, Stat stat) throws IOException {
        out.writeBoolean(stat != null);
        if (stat != null) {
            writeStat(out, stat);
        }
    }

    static Stat readNullableStat(DataInput in) throws IOException {
        return in.readBoolean() ? readStat(in) : null;
    }

    static int readCount(DataInput in, String what) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("corrupt snapshot: negative " + what + " " + count);
        }
        return count;
    }
}

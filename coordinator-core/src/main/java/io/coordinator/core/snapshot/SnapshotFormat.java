package io.coordinator.core.snapshot;

import io.coordinator.core.InvariantViolation;
import io.coordinator.core.api.Response;
import io.coordinator.core.session.DedupWindow;
import io.coordinator.core.session.Session;
import io.coordinator.core.session.SessionTable;
import io.coordinator.core.tree.DataTree;
import io.coordinator.core.tree.Node;
import io.coordinator.core.tree.NodeKind;
import io.coordinator.core.tree.Paths;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The snapshot format, version 1. Big-endian, as {@link DataOutput} writes:
 * <pre>
 * int magic "COOR", int version
 * long revision, long lastAppliedIndex, long nextSessionId, long leaderTerm
 * int sessions, each: long id, long secret, long ttlMillis, long deadlineMillis,
 *                     int remembered, each: long sequence, long revision, response
 * int nodes, each in pre-order (root first, siblings by name):
 *     string path, byte kind, long ttlMillis, long ephemeralOwner, bytes data,
 *     long createRevision, long modRevision, int version, int cversion,
 *     long ctimeMillis, long mtimeMillis, long nextSequence
 * int end marker "END!"
 * </pre>
 * Every collection is written in a fixed order, so equal states give equal bytes.
 */
public final class SnapshotFormat {

    public static final int MAGIC = 0x434F4F52;
    public static final int VERSION = 1;
    private static final int END_MARKER = 0x454E4421;

    private SnapshotFormat() {
    }

    public static void write(DataOutput out, SnapshotState state) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(state.revision());
        out.writeLong(state.lastAppliedIndex());
        SessionTable sessions = state.sessions();
        out.writeLong(sessions.nextSessionId());
        out.writeLong(sessions.leaderTerm());
        out.writeInt(sessions.size());
        for (Session session : sessions.all()) {
            out.writeLong(session.id());
            out.writeLong(session.secret());
            out.writeLong(session.ttlMillis());
            out.writeLong(session.deadlineMillis());
            out.writeInt(session.dedup().size());
            for (Map.Entry<Long, DedupWindow.Remembered> entry : session.dedup().entries().entrySet()) {
                out.writeLong(entry.getKey());
                out.writeLong(entry.getValue().revision());
                ResponseCodec.write(out, entry.getValue().response());
            }
        }
        List<Node> nodes = state.tree().preOrder();
        out.writeInt(nodes.size());
        for (Node node : nodes) {
            Codec.writeString(out, node.path());
            out.writeByte(node.kind().code);
            out.writeLong(node.ttlMillis());
            out.writeLong(node.ephemeralOwner());
            Codec.writeBytes(out, node.dataUnsafe());
            out.writeLong(node.createRevision());
            out.writeLong(node.modRevision());
            out.writeInt(node.version());
            out.writeInt(node.cversion());
            out.writeLong(node.ctimeMillis());
            out.writeLong(node.mtimeMillis());
            out.writeLong(node.nextSequence());
        }
        out.writeInt(END_MARKER);
    }

    /**
     * @throws IOException on a wrong magic or version, or a snapshot that is truncated or inconsistent
     */
    public static SnapshotState read(DataInput in, int dedupWindowPerSession) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException("not a coordinator snapshot: magic 0x" + Integer.toHexString(magic));
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("unsupported snapshot format version " + version + ", this build reads " + VERSION);
        }
        long revision = in.readLong();
        long lastAppliedIndex = in.readLong();
        long nextSessionId = in.readLong();
        long leaderTerm = in.readLong();
        try {
            SessionTable sessions = SessionTable.restore(nextSessionId, leaderTerm, readSessions(in, dedupWindowPerSession));
            DataTree tree = readTree(in, sessions);
            if (in.readInt() != END_MARKER) {
                throw new IOException("corrupt snapshot: no end marker");
            }
            tree.verify(revision);
            return new SnapshotState(revision, lastAppliedIndex, sessions, tree);
        } catch (InvariantViolation | IllegalArgumentException | ArithmeticException e) {
            throw new IOException("corrupt snapshot: " + e.getMessage(), e);
        }
    }

    private static List<Session> readSessions(DataInput in, int dedupWindowPerSession) throws IOException {
        int count = Codec.readCount(in, "session count");
        List<Session> sessions = new ArrayList<>();
        long previousId = 0;
        for (int i = 0; i < count; i++) {
            Session session = new Session(in.readLong(), in.readLong(), in.readLong(), in.readLong());
            if (session.id() <= previousId) {
                throw new IOException("corrupt snapshot: session ids out of order");
            }
            previousId = session.id();
            int remembered = Codec.readCount(in, "remembered count");
            Long previousSequence = null;
            for (int j = 0; j < remembered; j++) {
                long sequence = in.readLong();
                if (previousSequence != null && sequence <= previousSequence) {
                    throw new IOException("corrupt snapshot: sequences out of order in session " + session.id());
                }
                previousSequence = sequence;
                long answeredAt = in.readLong();
                Response response = ResponseCodec.read(in);
                session.dedup().remember(sequence, answeredAt, response, Math.max(remembered, dedupWindowPerSession));
            }
            sessions.add(session);
        }
        return sessions;
    }

    private static DataTree readTree(DataInput in, SessionTable sessions) throws IOException {
        int count = Codec.readCount(in, "node count");
        if (count < 1) {
            throw new IOException("corrupt snapshot: no root");
        }
        DataTree tree = null;
        for (int i = 0; i < count; i++) {
            Node node = readNode(in);
            if (i == 0) {
                tree = DataTree.restoring(node);
                continue;
            }
            if (Paths.check(node.path(), Integer.MAX_VALUE) != null || node.path().equals(Paths.ROOT)) {
                throw new IOException("corrupt snapshot: bad path " + Paths.describe(node.path()));
            }
            if (node.kind() == NodeKind.EPHEMERAL && !sessions.alive(node.ephemeralOwner())) {
                throw new IOException("corrupt snapshot: " + node.path() + " is owned by a dead session");
            }
            tree.restore(node);
        }
        return tree;
    }

    private static Node readNode(DataInput in) throws IOException {
        String path = Codec.readString(in);
        NodeKind kind = NodeKind.fromCode(in.readUnsignedByte());
        long ttlMillis = in.readLong();
        long owner = in.readLong();
        byte[] data = Codec.readBytes(in);
        return Node.restore(path, kind, ttlMillis, owner, data, in.readLong(), in.readLong(), in.readInt(),
                in.readInt(), in.readLong(), in.readLong(), in.readLong());
    }
}

package io.coordinator.server.member;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.protocol.wire.Frame;
import io.coordinator.server.support.InProcessCluster;
import io.coordinator.server.support.RawConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binary port, below the message level: a path whose bytes inside the Smile payload are not
 * UTF-8 is refused with INVALID_PATH and creates nothing (Jackson's Smile parser alone turns them
 * into other characters, even into a '/'), and a client that half-closes after its request still
 * gets its reply.
 */
class BinaryPortBytesTest {
    private static InProcessCluster cluster;

    @BeforeAll
    static void startMember() throws Exception {
        cluster = InProcessCluster.start(1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            try (RawConnection connection = connect()) {
                return connection.execute(new Op.Exists("/")).response() instanceof Response.ExistsResult;
            }
        });
    }

    @AfterAll
    static void stopMember() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static RawConnection connect() throws IOException {
        return new RawConnection(cluster.clientAddress(0));
    }

    /** A create of {@code path}, Smile-encoded, with the UTF-8 bytes {@code from} of the path replaced by {@code to}. */
    private static byte[] createWithBytes(String path, String from, String toHex) {
        byte[] payload = Codec.smile().encode(new ClientMessage.Call(
                Request.of(new Command.Execute(new Op.Create(path, new byte[0], CreateMode.PERSISTENT, 0))),
                Consistency.LINEARIZABLE, 0));
        return replace(payload, from.getBytes(StandardCharsets.UTF_8), HexFormat.of().parseHex(toHex));
    }

    private static byte[] replace(byte[] payload, byte[] from, byte[] to) {
        assertEquals(from.length, to.length, "same length, so the Smile token stays well framed");
        outer:
        for (int i = 0; i + from.length <= payload.length; i++) {
            for (int j = 0; j < from.length; j++) {
                if (payload[i + j] != from[j]) {
                    continue outer;
                }
            }
            byte[] changed = payload.clone();
            System.arraycopy(to, 0, changed, i, to.length);
            return changed;
        }
        throw new AssertionError("marker not found in the payload");
    }

    private static String rootState(RawConnection connection) throws IOException {
        ServerMessage.Reply reply = connection.execute(new Op.Children("/", false));
        return ((Response.ChildrenResult) reply.response()).names() + "@" + reply.revision();
    }

    @Test
    void aPathWhoseBytesAreNotUtf8IsInvalidPathAndCreatesNothing() throws IOException {
        String longTail = "x".repeat(70);
        try (RawConnection connection = connect()) {
            assertInstanceOf(Response.Created.class, connection.execute(
                    new Op.Create("/dir", new byte[0], CreateMode.PERSISTENT, 0)).response());
            String before = rootState(connection);
            List<byte[]> payloads = List.of(
                    // a short string token marked 7-bit ASCII, holding bytes above 0x7F
                    createWithBytes("/ascii-ZZ", "ZZ", "c0af"),
                    // a short Unicode token: an overlong '/' (C0 AF) would turn /dir\u00e9name into /dir/name
                    createWithBytes("/dir\u00e9name", "\u00e9", "c0af"),
                    // a lead byte without its continuation: would become /ok\u00c1
                    createWithBytes("/ok\u00e9", "\u00e9", "c341"),
                    createWithBytes("/ok\u00e9", "\u00e9", "fffe"),
                    // long tokens (over 64 bytes), ASCII and Unicode
                    createWithBytes("/long-ZZ" + longTail, "ZZ", "c0af"),
                    createWithBytes("/long\u00e9" + longTail, "\u00e9", "c0af"),
                    createWithBytes("/long\u00e9x" + longTail, "\u00e9x", "eda080"),
                    createWithBytes("/long\u00e9x" + longTail, "\u00e9x", "e28241"));
            long id = 500;
            for (byte[] payload : payloads) {
                connection.sendFrame(Frame.Kind.REQUEST, ++id, payload);
                Frame frame = connection.readFrame();
                assertEquals(id, frame.requestId());
                ServerMessage answer = Codec.smile().decodeServer(frame.payload());
                ServerMessage.ProtocolError error = assertInstanceOf(ServerMessage.ProtocolError.class, answer,
                        () -> "payload " + HexFormat.of().formatHex(payload) + " was answered " + answer);
                assertEquals(ErrorCode.INVALID_PATH, error.code(), error.message());
            }
            assertEquals(before, rootState(connection));
            ServerMessage.Reply dir = connection.execute(new Op.Children("/dir", false));
            assertEquals(List.of(), ((Response.ChildrenResult) dir.response()).names());
        }
    }

    @Test
    void aWatchOnAPathThatIsNotUtf8IsInvalidPath() throws IOException {
        byte[] payload = replace(Codec.smile().encode(new ClientMessage.Watch("/w\u00e9", WatchKind.DATA, 0)),
                "\u00e9".getBytes(StandardCharsets.UTF_8), HexFormat.of().parseHex("c0af"));
        try (RawConnection connection = connect()) {
            connection.sendFrame(Frame.Kind.REQUEST, 9, payload);
            Frame frame = connection.readFrame();
            ServerMessage.ProtocolError error = assertInstanceOf(ServerMessage.ProtocolError.class,
                    Codec.smile().decodeServer(frame.payload()));
            assertEquals(ErrorCode.INVALID_PATH, error.code());
        }
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheReply() throws IOException {
        try (RawConnection connection = connect()) {
            byte[] create = Codec.smile().encode(new ClientMessage.Call(Request.of(new Command.Execute(
                    new Op.Create("/half-closed", new byte[0], CreateMode.PERSISTENT, 0))), Consistency.LINEARIZABLE, 0));
            connection.sendFrame(Frame.Kind.REQUEST, 1, create);
            connection.shutdownOutput();
            Frame frame = connection.readFrame();
            assertEquals(1, frame.requestId());
            ServerMessage.Reply reply = (ServerMessage.Reply) Codec.smile().decodeServer(frame.payload());
            assertInstanceOf(Response.Created.class, reply.response());
            assertTrue(connection.closedByServer(), "the member closes once the last reply is out");
        }
        try (RawConnection connection = connect()) {
            assertInstanceOf(Response.Data.class, connection.execute(new Op.Get("/half-closed")).response());
            connection.shutdownOutput();
            assertTrue(connection.closedByServer(), "a half-close with nothing in flight closes the connection");
        }
    }
}

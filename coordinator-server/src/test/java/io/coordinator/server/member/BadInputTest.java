package io.coordinator.server.member;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.support.InProcessCluster;
import io.coordinator.server.support.RawConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gets a typed error and leaves nothing behind; a broken byte stream closes that one
 * connection and the member goes on serving everybody else.
 */
class BadInputTest {
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

    private static long revision() throws IOException {
        try (RawConnection connection = connect()) {
            return connection.execute(new Op.Exists("/")).revision();
        }
    }

    @Test
    void anInvalidPathIsRejectedWithInvalidPathAndChangesNothing() throws IOException {
        long before = revision();
        try (RawConnection connection = connect()) {
            for (String path : new String[]{"relative", "/a//b", "/a/", "/a/./b", "/a/../b", "/nul\u0000"}) {
                ServerMessage.Reply reply = connection.execute(new Op.Create(path, new byte[0], CreateMode.PERSISTENT, 0));
                assertEquals(ErrorCode.INVALID_PATH, ((Response.Failure) reply.response()).code(), path);
            }
        }
        assertEquals(before, revision());
    }

    @Test
    void dataOverTheLimitIsTooLargeAndNotCommitted() throws IOException {
        long before = revision();
        try (RawConnection connection = connect()) {
            byte[] data = new byte[1024 * 1024 + 1];
            ServerMessage.Reply reply = connection.execute(new Op.Create("/big", data, CreateMode.PERSISTENT, 0));
            assertEquals(ErrorCode.TOO_LARGE, ((Response.Failure) reply.response()).code());
            assertEquals(ErrorCode.NO_NODE, ((Response.Failure) connection.execute(new Op.Get("/big")).response()).code());
        }
        assertEquals(before, revision());
    }

    @Test
    void aTxnWithOneFailingOpAppliesNoneOfItsOps() throws IOException {
        try (RawConnection connection = connect()) {
            ServerMessage.Reply reply = (ServerMessage.Reply) connection.call(new Command.Txn(java.util.List.of(),
                    java.util.List.of(new Op.Create("/txn-a", new byte[0], CreateMode.PERSISTENT, 0),
                            new Op.Create("/missing/child", new byte[0], CreateMode.PERSISTENT, 0)),
                    java.util.List.of()));
            assertEquals(ErrorCode.NO_NODE, ((Response.Failure) reply.response()).code());
            assertInstanceOf(Response.Failure.class, connection.execute(new Op.Get("/txn-a")).response());
        }
    }

    @Test
    void anUnknownOperationGetsMalformedAndTheConnectionKeepsServing() throws IOException {
        try (RawConnection connection = connect()) {
            byte[] json = ("{\"@type\":\"call\",\"request\":{\"sessionId\":0,\"sequence\":0,\"command\":"
                    + "{\"@type\":\"execute\",\"op\":{\"@type\":\"explode\",\"path\":\"/\"}}},"
                    + "\"consistency\":\"LINEARIZABLE\",\"minRevision\":0}").getBytes(StandardCharsets.UTF_8);
            byte[] smile = Codec.smile().mapper().writeValueAsBytes(Codec.json().mapper().readTree(json));
            connection.sendFrame(Frame.Kind.REQUEST, 77, smile);
            Frame frame = connection.readFrame();
            assertEquals(77, frame.requestId());
            ServerMessage.ProtocolError error = (ServerMessage.ProtocolError) Codec.smile().decodeServer(frame.payload());
            assertEquals(ErrorCode.MALFORMED, error.code());
            assertInstanceOf(Response.ExistsResult.class, connection.execute(new Op.Exists("/")).response());
        }
    }

    @Test
    void garbageBytesGetAnErrorFrameAndCloseOnlyThatConnection() throws IOException {
        try (RawConnection bystander = connect(); RawConnection vandal = connect()) {
            // a valid length, then a version byte that no protocol has
            vandal.sendRaw(ByteBuffer.allocate(16).putInt(12).put((byte) 99).put((byte) 1).putLong(5).putShort((short) 0).array());
            assertErrorFrameThenClose(vandal, ErrorCode.MALFORMED);
            assertInstanceOf(Response.ExistsResult.class, bystander.execute(new Op.Exists("/")).response());
        }
        try (RawConnection vandal = connect()) {
            vandal.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Frame frame = vandal.readFrame();
            assertEquals(Frame.Kind.ERROR, frame.kind());
            assertTrue(vandal.closedByServer());
        }
    }

    @Test
    void aReadWhoseAnswerWouldNotFitInAFrameIsTooLargeAndTheConnectionKeepsServing() throws Exception {
        int frameMax = 16 * 1024;
        try (InProcessCluster tuned = InProcessCluster.start(1, InProcessCluster.limits(l -> new ServerConfig.LimitsConfig(
                4 * 1024, l.pathLengthMax(), frameMax, l.pendingRequestsMax(), l.connectionsMax(), l.txnOpsMax(),
                l.watchesPerConnectionMax(), l.watchHistoryEventsMax(), l.watchHistoryBytesMax(), l.watchPendingBytesMax())))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                try (RawConnection connection = new RawConnection(tuned.clientAddress(0))) {
                    return connection.execute(new Op.Exists("/")).response() instanceof Response.ExistsResult;
                }
            });
            try (RawConnection connection = new RawConnection(tuned.clientAddress(0))) {
                connection.execute(new Op.Create("/wide", new byte[0], CreateMode.PERSISTENT, 0));
                String padding = "x".repeat(200);
                for (int i = 0; i < 100; i++) { // 100 names of ~200 bytes: ~20 KiB of children, over the frame
                    assertInstanceOf(Response.Created.class, connection.execute(
                            new Op.Create("/wide/" + padding + i, new byte[0], CreateMode.PERSISTENT, 0)).response());
                }
                Response tooLarge = connection.execute(new Op.Children("/wide", false)).response();
                assertInstanceOf(Response.Failure.class, tooLarge);
                assertEquals(ErrorCode.TOO_LARGE, ((Response.Failure) tooLarge).code());
                // The same connection goes on: a small read is answered.
                assertInstanceOf(Response.ExistsResult.class, connection.execute(new Op.Exists("/wide")).response());
            }
        }
    }

    @Test
    void anOversizedFrameIsTooLargeAndClosesTheConnection() throws IOException {
        try (RawConnection vandal = connect()) {
            vandal.sendRaw(ByteBuffer.allocate(4).putInt(64 * 1024 * 1024).array());
            assertErrorFrameThenClose(vandal, ErrorCode.TOO_LARGE);
        }
        assertTrue(revision() >= 0);
    }

    @Test
    void aFrameShorterThanItsHeaderIsMalformed() throws IOException {
        try (RawConnection vandal = connect()) {
            vandal.sendRaw(ByteBuffer.allocate(8).putInt(3).put(new byte[]{1, 1, 0, 0}).array());
            assertErrorFrameThenClose(vandal, ErrorCode.MALFORMED);
        }
    }

    @Test
    void aTruncatedPayloadInsideAWholeFrameIsMalformed() throws IOException {
        try (RawConnection connection = connect()) {
            byte[] valid = Codec.smile().encode(new io.coordinator.protocol.message.ClientMessage.StatusQuery());
            byte[] cut = java.util.Arrays.copyOf(valid, valid.length - 1);
            connection.sendFrame(Frame.Kind.REQUEST, 9, cut);
            Frame frame = connection.readFrame();
            assertEquals(ErrorCode.MALFORMED, ((ServerMessage.ProtocolError) Codec.smile().decodeServer(frame.payload())).code());
        }
    }

    @Test
    void aClientSendingAResponseFrameIsCutOff() throws IOException {
        try (RawConnection vandal = connect()) {
            vandal.sendFrame(Frame.Kind.RESPONSE, 1, new byte[]{1});
            assertErrorFrameThenClose(vandal, ErrorCode.MALFORMED);
        }
    }

    @Test
    void aValidWriteAfterAllThatStillWorks() throws IOException {
        try (RawConnection connection = connect()) {
            byte[] data = "fine".getBytes(StandardCharsets.UTF_8);
            Response created = connection.execute(new Op.Create("/after", data, CreateMode.PERSISTENT, 0)).response();
            assertInstanceOf(Response.Created.class, created);
            assertArrayEquals(data, ((Response.Data) connection.execute(new Op.Get("/after")).response()).data());
        }
    }

    private static void assertErrorFrameThenClose(RawConnection connection, ErrorCode expected) throws IOException {
        Frame frame = connection.readFrame();
        assertEquals(Frame.Kind.ERROR, frame.kind());
        assertEquals(expected, ((ServerMessage.ProtocolError) Codec.smile().decodeServer(frame.payload())).code());
        assertTrue(connection.closedByServer());
    }
}

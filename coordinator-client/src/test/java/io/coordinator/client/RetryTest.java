package io.coordinator.client;

import io.coordinator.client.fake.FakeMember;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.Codec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.ClientTestSupport.config;
import static io.coordinator.client.fake.Scripts.STAT;
import static io.coordinator.client.fake.Scripts.answering;
import static io.coordinator.client.fake.Scripts.bytes;
import static io.coordinator.client.fake.Scripts.withSessions;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a call is retried, where, and when it must not be. */
class RetryTest {

    /** Same session, sequence and command, byte for byte. */
    static void assertSameRequest(Request expected, Request actual) {
        assertEquals(new String(Codec.json().encode(expected), StandardCharsets.UTF_8),
                new String(Codec.json().encode(actual), StandardCharsets.UTF_8));
    }

    private static boolean isSet(FakeMember.Received r) {
        return r.op() instanceof Op.SetData;
    }

    @Test
    void aReadWhoseConnectionDropsIsRetriedOnTheNextEndpoint() {
        FakeMember m1 = FakeMember.start(FakeMember.Received::dropConnection);
        FakeMember m2 = FakeMember.start(answering("from-m2"));
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m1, m2).build());
            assertEquals("from-m2", client.get("/a").dataUtf8());
            assertEquals(1, m1.receivedOps().size());
            assertEquals(1, m2.receivedOps().size());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void aSessionWriteRetriedAfterADroppedConnectionCarriesTheSameSessionAndSequence() {
        FakeMember m1 = FakeMember.start(withSessions(r -> r.dropConnection()));
        FakeMember m2 = FakeMember.start(withSessions(answering("unused")));
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m1, m2).openSession(true).build());
            long sessionId = client.session().orElseThrow().sessionId();

            client.set("/a", bytes("v"), -1);

            List<FakeMember.Received> first = m1.received(RetryTest::isSet);
            List<FakeMember.Received> retry = m2.received(RetryTest::isSet);
            assertEquals(1, first.size());
            assertEquals(1, retry.size());
            Request sent = first.get(0).request();
            assertEquals(sessionId, sent.sessionId());
            assertTrue(sent.sequence() > 0, "a session write carries a sequence");
            assertSameRequest(sent, retry.get(0).request());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void everySessionWriteCarriesTheNextSequence() {
        FakeMember m = FakeMember.start(withSessions(answering("x")));
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m).openSession(true).build());
            for (int i = 0; i < 3; i++) {
                client.set("/a", bytes("v" + i), -1);
            }
            List<Long> sequences = m.received(RetryTest::isSet).stream().map(r -> r.request().sequence()).toList();
            assertEquals(List.of(1L, 2L, 3L), sequences);
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void aWriteWithoutASessionIsNotRetriedAfterADroppedConnection() {
        FakeMember m1 = FakeMember.start(FakeMember.Received::dropConnection);
        FakeMember m2 = FakeMember.start(answering("unused"));
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m1, m2).build());
            CoordinatorException e = assertThrows(CoordinatorException.class, () -> c.set("/a", bytes("v"), -1));
            assertEquals(ErrorCode.TIMEOUT, e.code());
            assertTrue(e.outcomeUnknown());
            assertEquals(1, m1.received(RetryTest::isSet).size());
            assertTrue(m2.received(RetryTest::isSet).isEmpty(), "the write must not be sent twice");
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void aTimeoutAnswerFailsAPlainWriteButRetriesASequencedOne() {
        FakeMember.Handler timeoutOnSet = r -> {
            if (isSet(r)) {
                r.fail(ErrorCode.TIMEOUT, "proposal timed out");
            } else {
                answering("x").handle(r);
            }
        };
        FakeMember m1 = FakeMember.start(withSessions(timeoutOnSet));
        FakeMember m2 = FakeMember.start(withSessions(answering("x")));
        Coordinator plain = null;
        Coordinator withSession = null;
        try {
            Coordinator p = plain = Coordinator.connect(config(m1, m2).build());
            assertEquals(ErrorCode.TIMEOUT,
                    assertThrows(CoordinatorException.class, () -> p.set("/a", bytes("v"), -1)).code());
            assertTrue(m2.received(RetryTest::isSet).isEmpty());

            withSession = Coordinator.connect(config(m1, m2).openSession(true).build());
            withSession.set("/a", bytes("v"), -1);
            List<FakeMember.Received> retried = m2.received(RetryTest::isSet);
            assertEquals(1, retried.size());
            assertSameRequest(m1.received(RetryTest::isSet).get(1).request(), retried.get(0).request());
        } finally {
            ClientTestSupport.closeAll(plain, withSession, m1, m2);
        }
    }

    @Test
    void unavailableMovesReadsAndEvenPlainWritesToAnotherEndpoint() {
        FakeMember m1 = FakeMember.start(r -> r.fail(ErrorCode.UNAVAILABLE, "no quorum"));
        FakeMember m2 = FakeMember.start(answering("from-m2"));
        Coordinator reader = null;
        Coordinator writer = null;
        try {
            reader = Coordinator.connect(config(m1, m2).build());
            assertEquals("from-m2", reader.get("/a").dataUtf8());
            // UNAVAILABLE means nothing was applied: a write without a session may go elsewhere too.
            writer = Coordinator.connect(config(m1, m2).build());
            writer.set("/a", bytes("v"), -1);
            assertEquals(1, m1.received(RetryTest::isSet).size());
            assertEquals(1, m2.received(RetryTest::isSet).size());
        } finally {
            ClientTestSupport.closeAll(reader, writer, m1, m2);
        }
    }

    @Test
    void overloadedIsRetriedElsewhere() {
        FakeMember m1 = FakeMember.start(r -> r.fail(ErrorCode.OVERLOADED, "busy"));
        FakeMember m2 = FakeMember.start(answering("from-m2"));
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m1, m2).build());
            assertEquals("from-m2", client.get("/a").dataUtf8());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void aNoNodeFailureSurfacesAsCoordinatorExceptionWithItsCodeAndIsNotRetried() throws Exception {
        FakeMember m1 = FakeMember.start(r -> r.fail(ErrorCode.NO_NODE, "/missing"));
        FakeMember m2 = FakeMember.start(answering("unused"));
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m1, m2).build());
            CoordinatorException blocking = assertThrows(CoordinatorException.class, () -> c.get("/missing"));
            assertEquals(ErrorCode.NO_NODE, blocking.code());
            assertInstanceOf(CoordinatorException.NoNodeException.class, blocking);
            assertEquals("/missing", blocking.detail());

            ExecutionException async = assertThrows(ExecutionException.class,
                    () -> c.async().get("/missing").get(5, TimeUnit.SECONDS));
            CoordinatorException cause = assertInstanceOf(CoordinatorException.class, async.getCause());
            assertEquals(ErrorCode.NO_NODE, cause.code());

            assertEquals(2, m1.receivedOps().size());
            assertTrue(m2.receivedOps().isEmpty());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void theDeadlineBoundsRetries() {
        FakeMember m1 = FakeMember.start(r -> r.fail(ErrorCode.UNAVAILABLE, "no quorum"));
        FakeMember m2 = FakeMember.start(r -> r.fail(ErrorCode.UNAVAILABLE, "no quorum"));
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m1, m2).requestTimeoutMillis(300)
                    .retryAttemptsMax(10_000).build());
            long start = System.nanoTime();
            CoordinatorException e = assertThrows(CoordinatorException.class, () -> c.get("/a"));
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(ErrorCode.UNAVAILABLE, e.code(), "nothing was applied, so the last code stands");
            assertTrue(elapsedMillis < 2_000, "gave up after " + elapsedMillis + " ms");
            int attempts = m1.receivedOps().size() + m2.receivedOps().size();
            assertTrue(attempts >= 2, "tried both members");
            assertTrue(attempts < 300, "back-off kept the attempts bounded: " + attempts);
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void theAttemptCountBoundsRetries() {
        FakeMember m1 = FakeMember.start(r -> r.fail(ErrorCode.UNAVAILABLE, "no quorum"));
        FakeMember m2 = FakeMember.start(r -> r.fail(ErrorCode.UNAVAILABLE, "no quorum"));
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m1, m2).retryAttemptsMax(3).build());
            CoordinatorException e = assertThrows(CoordinatorException.class, () -> c.get("/a"));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertEquals(2, m1.receivedOps().size());
            assertEquals(1, m2.receivedOps().size());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void unreachableEndpointsFailWithUnavailableWithinTheDeadline() {
        FakeMember gone1 = FakeMember.start(r -> { });
        FakeMember gone2 = FakeMember.start(r -> { });
        ClientConfig config = config(gone1, gone2).requestTimeoutMillis(400).build();
        gone1.close();
        gone2.close();
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config);
            long start = System.nanoTime();
            CoordinatorException e = assertThrows(CoordinatorException.class, () -> c.get("/a"));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3_000);
        } finally {
            ClientTestSupport.closeAll(client);
        }
    }

    @Test
    void aSilentMemberIsLeftAfterTheAttemptTimeoutForReadsButNotForPlainWrites() {
        FakeMember silent = FakeMember.start(r -> { });
        FakeMember m2 = FakeMember.start(answering("from-m2"));
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(silent, m2).attemptTimeoutMillis(200).build());
            assertEquals("from-m2", c.get("/a").dataUtf8());

            // Round-robin brings the client back to the silent member for the next call.
            silent.handler(r -> { });
            m2.handler(answering("from-m2"));
            Coordinator c2 = Coordinator.connect(config(silent, m2).attemptTimeoutMillis(200).build());
            try {
                CoordinatorException e = assertThrows(CoordinatorException.class, () -> c2.set("/a", bytes("v"), -1));
                assertEquals(ErrorCode.TIMEOUT, e.code());
                assertTrue(m2.received(RetryTest::isSet).isEmpty());
            } finally {
                c2.close();
            }
        } finally {
            ClientTestSupport.closeAll(client, silent, m2);
        }
    }

    @Test
    void aSerializableReadCarriesTheHighestRevisionSeen() {
        List<FakeMember.Received> calls = new CopyOnWriteArrayList<>();
        FakeMember m = FakeMember.start(r -> {
            calls.add(r);
            r.reply(r.op() instanceof Op.SetData ? 41 : 12, r.op() instanceof Op.SetData
                    ? new Response.Updated(STAT) : new Response.Data(bytes("x"), STAT));
        });
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m).build());
            client.set("/a", bytes("v"), -1);
            client.get("/a", io.coordinator.protocol.message.Consistency.SERIALIZABLE);
            assertEquals(41, client.lastRevision(), "a read reflecting an older revision does not lower it");
            var read = (io.coordinator.protocol.message.ClientMessage.Call) calls.get(1).message();
            assertEquals(io.coordinator.protocol.message.Consistency.SERIALIZABLE, read.consistency());
            assertEquals(41, read.minRevision());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void aConnectionLostWhileAnotherCallWaitsDoesNotSkipAnEndpointTwice() {
        // Two reads fail on the same dropped connection; the client must move one endpoint, not two.
        FakeMember m1 = FakeMember.start(r -> { });
        FakeMember m2 = FakeMember.start(answering("from-m2"));
        FakeMember m3 = FakeMember.start(answering("from-m3"));
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m1, m2, m3).build());
            var a = client.async().get("/a");
            var b = client.async().get("/b");
            await().atMost(Duration.ofSeconds(5)).until(() -> m1.receivedOps().size() == 2);
            m1.dropAllConnections();
            assertEquals("from-m2", a.join().dataUtf8());
            assertEquals("from-m2", b.join().dataUtf8());
            assertTrue(m3.receivedOps().isEmpty());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2, m3);
        }
    }

    @Test
    void aMalformedAnswerIsNotRetried() {
        FakeMember m = FakeMember.start(r -> r.reply(new io.coordinator.protocol.message.ServerMessage.ProtocolError(
                ErrorCode.MALFORMED, "cannot decode")));
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m).build());
            assertEquals(ErrorCode.MALFORMED, assertThrows(CoordinatorException.class, () -> c.get("/a")).code());
            assertEquals(1, m.receivedOps().size());
            assertFalse(m.receivedOps().get(0).isSessionCommand());
            assertNotEquals(null, m.receivedOps().get(0).command());
            assertInstanceOf(Command.Execute.class, m.receivedOps().get(0).command());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }
}

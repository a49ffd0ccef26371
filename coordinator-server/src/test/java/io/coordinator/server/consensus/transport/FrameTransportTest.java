package io.coordinator.server.consensus.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameTransportTest {
    private static final String HOST = "127.0.0.1";
    private static final int ECHO = 1;
    private static final int NEVER_ANSWERS = 2;
    private static final int FAILS = 3;
    private static final long LONG_TIMEOUT_MILLIS = 10_000;

    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final List<FrameTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(FrameTransport::close);
    }

    @Test
    void aRequestIsAnsweredAndLaterAnswersMayOvertakeEarlierOnes() throws Exception {
        addresses("a", "b");
        FrameTransport a = transport("a", LONG_TIMEOUT_MILLIS);
        FrameTransport b = transport("b", LONG_TIMEOUT_MILLIS);
        CompletableFuture<byte[]> held = new CompletableFuture<>();
        b.registerRequestHandler(NEVER_ANSWERS, payload -> held);
        b.registerRequestHandler(ECHO, CompletableFuture::completedFuture);

        CompletableFuture<byte[]> first = a.request("b", 0, NEVER_ANSWERS, bytes("first"));
        byte[] second = a.request("b", 0, ECHO, bytes("second")).get(5, TimeUnit.SECONDS);
        assertArrayEquals(bytes("second"), second);
        held.complete(bytes("first answer"));
        assertArrayEquals(bytes("first answer"), first.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aMemberTalksToItselfWithoutItsOwnPortInOrderAndOnANettyThread() throws Exception {
        addresses("a");
        FrameTransport a = transport("a", LONG_TIMEOUT_MILLIS);
        // Its own port is closed: a request that went through TCP would fail to connect.
        a.close();
        FrameTransport self = new FrameTransport("a", new InetSocketAddress(HOST, 1), Map.of("a", addresses.get("a")),
                new TransportSettings(2, LONG_TIMEOUT_MILLIS, 1000, 16 * 1024, 1));
        transports.add(self);
        List<String> received = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        self.registerRequestHandler(ECHO, payload -> {
            received.add(new String(payload, StandardCharsets.UTF_8));
            threads.add(Thread.currentThread().getName());
            return CompletableFuture.completedFuture(payload);
        });
        self.registerMessageHandler(ECHO, payload -> received.add("message " + new String(payload, StandardCharsets.UTF_8)));
        self.registerRequestHandler(FAILS, payload -> CompletableFuture.failedFuture(new IllegalStateException("no")));
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sent.add("m" + i);
            answers.add(self.request("a", i % 3, ECHO, bytes("m" + i)));
        }
        self.send("a", 0, ECHO, bytes("last"));
        sent.add("message last");
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertArrayEquals(bytes("m99"), answers.get(99).get());
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == sent.size());
        assertEquals(sent, received);
        assertTrue(threads.stream().allMatch(name -> name.startsWith("raft-io-a")), threads.toString());
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> self.request("a", 0, FAILS, bytes("x")).get(5, TimeUnit.SECONDS));
        assertInstanceOf(RemoteFailureException.class, failed.getCause());
        ExecutionException unknown = assertThrows(ExecutionException.class,
                () -> self.request("a", 0, 99, bytes("x")).get(5, TimeUnit.SECONDS));
        assertInstanceOf(java.net.ConnectException.class, unknown.getCause());
    }

    @Test
    void requestsOfOneLaneReachThePeerInTheOrderSent() throws Exception {
        addresses("a", "b");
        FrameTransport a = transport("a", LONG_TIMEOUT_MILLIS);
        FrameTransport b = transport("b", LONG_TIMEOUT_MILLIS);
        List<String> received = new CopyOnWriteArrayList<>();
        b.registerRequestHandler(ECHO, payload -> {
            received.add(new String(payload, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(payload);
        });
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add("m" + i);
            answers.add(a.request("b", 1, ECHO, bytes("m" + i)));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertEquals(sent, received);
    }

    @Test
    void pendingRequestsFailAtOnceWhenThePeerGoesAway() {
        addresses("a", "b");
        FrameTransport a = transport("a", LONG_TIMEOUT_MILLIS);
        FrameTransport b = transport("b", LONG_TIMEOUT_MILLIS);
        b.registerRequestHandler(NEVER_ANSWERS, payload -> new CompletableFuture<>());
        b.registerRequestHandler(ECHO, CompletableFuture::completedFuture);
        a.request("b", 0, ECHO, bytes("connect")).join();
        CompletableFuture<byte[]> pending = a.request("b", 0, NEVER_ANSWERS, bytes("lost"));

        long start = System.nanoTime();
        b.close();
        ExecutionException failure = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, failure.getCause());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < LONG_TIMEOUT_MILLIS / 2,
                "failed long before the request timeout");
    }

    @Test
    void aRequestToAMemberThatIsNotListeningFailsAtOnce() {
        addresses("a", "b");
        FrameTransport a = transport("a", LONG_TIMEOUT_MILLIS);
        long start = System.nanoTime();
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> a.request("b", 0, ECHO, bytes("anyone?")).get(5, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, failure.getCause());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < LONG_TIMEOUT_MILLIS / 2,
                "failed long before the request timeout");
    }

    @Test
    void aRequestWithoutAnswerTimesOutAfterTheRequestTimeout() {
        addresses("a", "b");
        FrameTransport a = transport("a", 300);
        FrameTransport b = transport("b", 300);
        b.registerRequestHandler(NEVER_ANSWERS, payload -> new CompletableFuture<>());
        long start = System.nanoTime();
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> a.request("b", 0, NEVER_ANSWERS, bytes("hello")).get(5, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, failure.getCause());
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // Never before the timeout; after it, within a bound generous enough for a loaded machine.
        assertTrue(elapsed >= 300 && elapsed < LONG_TIMEOUT_MILLIS / 2, "timed out after about 300 ms: " + elapsed);
    }

    @Test
    void aFailingHandlerOrAMissingOneIsReportedToTheCaller() {
        addresses("a", "b");
        FrameTransport a = transport("a", LONG_TIMEOUT_MILLIS);
        FrameTransport b = transport("b", LONG_TIMEOUT_MILLIS);
        b.registerRequestHandler(FAILS, payload -> CompletableFuture.failedFuture(new IllegalStateException("boom")));

        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> a.request("b", 0, FAILS, bytes("x")).get(5, TimeUnit.SECONDS));
        assertInstanceOf(RemoteFailureException.class, failed.getCause());
        ExecutionException unhandled = assertThrows(ExecutionException.class,
                () -> a.request("b", 0, ECHO, bytes("x")).get(5, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, unhandled.getCause(), "no handler: as if nobody were there");
    }

    @Test
    void aPeerThatDropsItsConnectionsAndRefusesNewOnesIsReportedUnreachable() {
        addresses("a", "b");
        FrameTransport a = transport("a", LONG_TIMEOUT_MILLIS);
        FrameTransport b = transport("b", LONG_TIMEOUT_MILLIS);
        List<String> unreachable = new CopyOnWriteArrayList<>();
        a.addUnreachableListener(unreachable::add);
        b.registerRequestHandler(ECHO, CompletableFuture::completedFuture);
        a.request("b", 0, ECHO, bytes("connect")).join();

        b.close();
        await().atMost(Duration.ofSeconds(3)).until(() -> unreachable.contains("b"));
        assertEquals(List.of("b"), List.copyOf(unreachable).subList(0, 1));
    }

    /**
     * A one-way cut, as a firewall dropping connections to b's port makes it: a's own connections to
     * b lead nowhere, b's connections to a work. a must still reach b, over b's connection.
     */
    @Test
    void whenOurConnectionsToAPeerAreCutButItsConnectionsReachUsRequestsGoOverItsConnection() throws Exception {
        addresses("a", "b");
        // Accepts (the kernel completes the handshake) and never reads: a's bytes to "b" vanish.
        try (ServerSocket nowhere = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
            Map<String, InetSocketAddress> aView = new LinkedHashMap<>(addresses);
            aView.put("b", new InetSocketAddress(HOST, nowhere.getLocalPort()));
            FrameTransport a = new FrameTransport("a", addresses.get("a"), aView,
                    new TransportSettings(2, 2_000, 1000, 16 * 1024, 1));
            transports.add(a);
            a.start();
            FrameTransport b = transport("b", 2_000);
            a.registerRequestHandler(ECHO, CompletableFuture::completedFuture);
            List<String> receivedByB = new CopyOnWriteArrayList<>();
            b.registerRequestHandler(ECHO, payload -> {
                receivedByB.add(new String(payload, StandardCharsets.UTF_8));
                return CompletableFuture.completedFuture(payload);
            });
            assertArrayEquals(bytes("b to a"), b.request("a", 0, ECHO, bytes("b to a")).get(5, TimeUnit.SECONDS));

            ExecutionException cut = assertThrows(ExecutionException.class,
                    () -> a.request("b", 0, ECHO, bytes("lost")).get(5, TimeUnit.SECONDS));
            assertInstanceOf(ConnectException.class, cut.getCause(),
                    "the request on the cut connection is failed for re-sending, before its timeout");
            assertArrayEquals(bytes("detour"), a.request("b", 1, ECHO, bytes("detour")).get(5, TimeUnit.SECONDS));
            a.send("b", 0, ECHO, bytes("one-way too"));
            assertEquals(List.of("detour"), receivedByB, "only the re-sent request reached b");
        }
    }

    @Test
    void itListensOnlyOnTheConfiguredAddressAndRejectsOversizedRequests() {
        addresses("a", "b");
        FrameTransport a = transport("a", LONG_TIMEOUT_MILLIS);
        assertEquals(HOST, a.localAddress().getAddress().getHostAddress());
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> a.request("b", 0, ECHO, new byte[64 * 1024]).get(5, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, failure.getCause());
    }

    private void addresses(String... ids) {
        for (String id : ids) {
            addresses.put(id, new InetSocketAddress(HOST, freePort()));
        }
    }

    private FrameTransport transport(String id, long requestTimeoutMillis) {
        FrameTransport transport = new FrameTransport(id, addresses.get(id), addresses,
                new TransportSettings(2, requestTimeoutMillis, 1000, 16 * 1024, 1));
        transports.add(transport);
        transport.start();
        return transport;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

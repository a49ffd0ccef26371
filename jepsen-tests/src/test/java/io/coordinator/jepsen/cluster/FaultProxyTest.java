package io.coordinator.jepsen.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy's link modes against plain sockets on 127.0.0.1: PASS forwards, BLACKHOLE is silence
 * (never a reset) on old and new connections, RESET refuses, DROP_FORWARD and DROP_BACKWARD cut one
 * direction only, healing restores, close() frees all.
 */
class FaultProxyTest {
    /** How long a read must stay silent to count as "nothing arrived". */
    private static final int SILENCE_MILLIS = 300;
    private static final int READ_MILLIS = 5_000;

    private ServerSocket target;
    private FaultProxy proxy;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        target.setSoTimeout(READ_MILLIS);
        proxy = FaultProxy.start("test", new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", target.getLocalPort()));
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        target.close();
    }

    @Test
    void passForwardsBothWaysAndHalfCloses() throws IOException {
        Link link = connect();
        send(link.client, "ping");
        assertEquals("ping", receive(link.server, 4));
        send(link.server, "pong");
        assertEquals("pong", receive(link.client, 4));
        link.client.shutdownOutput();
        assertEquals(-1, link.server.getInputStream().read(), "the client's FIN reaches the target");
        send(link.server, "late");
        assertEquals("late", receive(link.client, 4), "the other direction still flows after a half-close");
        assertEquals(FaultProxy.Stats.class, proxy.stats().getClass());
        // The proxy counts a chunk after writing it, so the reader may see the bytes first.
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.stats().bytesForwarded() == 12);
    }

    @Test
    void blackholeIsSilenceOnOldAndNewConnectionsNeverAReset() throws IOException {
        Link old = connect();
        proxy.setMode(LinkMode.BLACKHOLE);

        send(old.client, "lost-1");
        send(old.server, "lost-2");
        assertSilent(old.server);
        assertSilent(old.client);

        Socket fresh = open();
        send(fresh, "lost-3");
        assertSilent(fresh);
        target.setSoTimeout(SILENCE_MILLIS);
        assertThrows(SocketTimeoutException.class, target::accept, "no connection reaches the target in a cut");
        target.setSoTimeout(READ_MILLIS);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.stats().bytesDiscarded() >= 18);

        proxy.setMode(LinkMode.PASS);
        assertClosed(old.client);
        assertClosed(fresh);
        Link healed = connect();
        send(healed.client, "again");
        assertEquals("again", receive(healed.server, 5));
    }

    @Test
    void dropForwardLosesWhatTheConnectingSideSendsAndDeliversTheAnswersThenHealingClosesThatConnection()
            throws IOException {
        Link old = connect();
        proxy.setMode(LinkMode.DROP_FORWARD);
        send(old.client, "lost");
        assertSilent(old.server);
        send(old.server, "heard");
        assertEquals("heard", receive(old.client, 5), "the target's bytes still reach the connecting side");

        Link fresh = connect();
        send(fresh.server, "also");
        assertEquals("also", receive(fresh.client, 4), "a new connection reaches the target and hears it");
        send(fresh.client, "gone");
        assertSilent(fresh.server);

        proxy.setMode(LinkMode.PASS);
        assertClosed(old.client);
        Link healed = connect();
        send(healed.client, "again");
        assertEquals("again", receive(healed.server, 5));
    }

    @Test
    void dropBackwardLosesWhatTheTargetSendsAndDeliversTheRequests() throws IOException {
        Link old = connect();
        proxy.setMode(LinkMode.DROP_BACKWARD);
        send(old.client, "heard");
        assertEquals("heard", receive(old.server, 5), "the connecting side's bytes still reach the target");
        send(old.server, "lost");
        assertSilent(old.client);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.stats().bytesDiscarded() >= 4);
    }

    @Test
    void resetRefusesNewConnectionsAndResetsOldOnesUntilHealed() throws IOException {
        Link old = connect();
        proxy.setMode(LinkMode.RESET);
        assertClosed(old.client);
        assertThrows(ConnectException.class, this::open);

        proxy.setMode(LinkMode.PASS);
        Link healed = connect();
        send(healed.client, "back");
        assertEquals("back", receive(healed.server, 4));
    }

    @Test
    void aRefusingTargetResetsTheAcceptedConnection() throws IOException {
        int port = target.getLocalPort();
        target.close();
        try (FaultProxy toNowhere = FaultProxy.start("nowhere", new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", port))) {
            Socket socket = track(new Socket("127.0.0.1", toNowhere.port()));
            assertClosed(socket);
        } finally {
            target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }
    }

    @Test
    void connectionsBeyondTheBoundAreReset() throws IOException {
        try (FaultProxy small = FaultProxy.start("small", new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", target.getLocalPort()), 2, 4096)) {
            for (int i = 0; i < 2; i++) {
                track(new Socket("127.0.0.1", small.port()));
                track(target.accept());
            }
            Socket third = track(new Socket("127.0.0.1", small.port()));
            assertClosed(third);
            assertEquals(1, small.stats().connectionsRefused());
            assertEquals(2, small.stats().connectionsOpen());
        }
    }

    @Test
    void closeReleasesThePortAndEveryConnection() throws IOException {
        Link link = connect();
        int port = proxy.port();
        proxy.close();
        assertClosed(link.client);
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        assertThrows(IllegalStateException.class, () -> proxy.setMode(LinkMode.BLACKHOLE));
    }

    private record Link(Socket client, Socket server) {
    }

    private Link connect() throws IOException {
        Socket client = open();
        Socket server = track(target.accept());
        server.setSoTimeout(READ_MILLIS);
        return new Link(client, server);
    }

    private Socket open() throws IOException {
        Socket socket = track(new Socket("127.0.0.1", proxy.port()));
        socket.setSoTimeout(READ_MILLIS);
        return socket;
    }

    private Socket track(Socket socket) {
        sockets.add(socket);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    private static String receive(Socket socket, int bytes) throws IOException {
        byte[] buffer = socket.getInputStream().readNBytes(bytes);
        return new String(buffer, StandardCharsets.UTF_8);
    }

    /** Nothing arrives within the silence bound, and the connection is neither closed nor reset. */
    private static void assertSilent(Socket socket) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(SILENCE_MILLIS);
        try {
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read());
        } finally {
            socket.setSoTimeout(before);
        }
    }

    /** The proxy closed or reset the connection: a read ends at once, with EOF or a reset. */
    private static void assertClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            byte[] rest = in.readAllBytes();
            assertArrayEquals(new byte[0], rest, "no data expected");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + socket.getSoTimeout() + " ms", e);
        } catch (SocketException reset) {
            assertTrue(reset.getMessage().contains("reset") || reset.getMessage().contains("closed"), reset.getMessage());
        }
    }
}

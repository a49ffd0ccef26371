package io.coordinator.server.http;

import com.sun.net.httpserver.HttpServer;
import io.coordinator.protocol.message.MemberStatus;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.config.MemberAddress;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "The status page tells a member that refuses connections (down) from one that does not answer in
 * time (slow), and shows every member that answers with its status." Peers here are stand-ins on
 * 127.0.0.1: a port nobody listens on, a socket that accepts and stays silent, and a small HTTP
 * server that answers {@code /v1/status} as a member would.
 */
class StatusPageTest {
    private static final String HOST = "127.0.0.1";
    private static final Duration WAIT = Duration.ofMillis(1000);

    private final ExecutorService probes = Executors.newSingleThreadExecutor();
    private ServerSocket silent;
    private HttpServer answering;

    @BeforeEach
    void startPeers() throws IOException {
        silent = new ServerSocket();
        silent.bind(new InetSocketAddress(HOST, 0)); // the kernel completes connections; nobody reads them
        answering = HttpServer.create(new InetSocketAddress(HOST, 0), 0);
        answering.createContext("/v1/status", exchange -> {
            byte[] body = ("{\"self\":{\"memberId\":\"m4\",\"role\":\"FOLLOWER\",\"term\":7,\"leaderId\":\"m1\","
                    + "\"commitIndex\":40,\"lastApplied\":40,\"revision\":33,\"clientAddress\":\"127.0.0.1:1\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        answering.start();
    }

    @AfterEach
    void stopPeers() throws IOException {
        answering.stop(0);
        silent.close();
        probes.shutdownNow();
    }

    @Test
    void aRefusedMemberIsDownASilentOneSlowAndAnAnsweringOneShowsItsStatus() throws Exception {
        List<MemberAddress> members = List.of(
                new MemberAddress("m1", HOST, 1, 2, 3),
                new MemberAddress("m2", HOST, 1, 2, closedPort()),
                new MemberAddress("m3", HOST, 1, 2, silent.getLocalPort()),
                new MemberAddress("m4", HOST, 1, 2, answering.getAddress().getPort()));
        ServerMessage.StatusReply self = new ServerMessage.StatusReply(
                new MemberStatus("m1", "LEADER", 7, "m1", 40, 40, 33, "127.0.0.1:1"), List.of("m1", "m2", "m3", "m4"));
        HttpClient client = HttpClient.newBuilder().executor(probes).connectTimeout(WAIT).build();
        StatusPage page = new StatusPage("m1", members, () -> self, client, WAIT);

        String html = new String(page.render(new HttpCall(HttpMethod.GET, "/", Map.of(), EmptyHttpHeaders.INSTANCE,
                new byte[0], true)).get(10, TimeUnit.SECONDS).body(), StandardCharsets.UTF_8);

        String refused = row(html, "m2");
        assertTrue(refused.contains("down: connection refused") && refused.contains("class=\"down\""), refused);
        String slow = row(html, "m3");
        assertTrue(slow.contains("slow: no answer within 1000 ms") && slow.contains("class=\"slow\""), slow);
        String live = row(html, "m4");
        assertTrue(live.contains("<td>FOLLOWER</td><td>7</td><td>m1</td>"), live);
        assertFalse(html.contains("unreachable"), html);
    }

    private static String row(String html, String memberId) {
        for (String row : html.split("<tr")) {
            if (row.contains("<td>" + memberId + "</td>") || row.contains("<td>" + memberId + " (this)</td>")) {
                return row;
            }
        }
        throw new AssertionError("no row for " + memberId + " in " + html);
    }

    /** A port nothing listens on (bound, then released): connecting to it is refused at once. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        }
    }
}

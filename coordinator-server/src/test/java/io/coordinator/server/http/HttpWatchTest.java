package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.support.InProcessCluster;
import io.coordinator.server.support.InProcessCluster;
import io.coordinator.server.watch.WatchHub;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.coordinator.server.http.GatewayClient.utf8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /v1/watch/PATH}: watches as a chunked stream of JSON lines, read with java.net.http. */
class HttpWatchTest extends OneMemberGatewayTest {
    private static final Duration READ_BOUND = Duration.ofSeconds(20);

    @Test
    void recursiveWatchSeesEveryWriteInRevisionOrder() throws Exception {
        assertEquals(201, http.send("POST", "/v1/nodes/rec", null, NONE).status());
        assertEquals(201, http.send("POST", "/v1/nodes/rec/c", null, NONE).status());
        HttpResponse<Stream<String>> stream = watch(cluster.member(0).httpAddress(), "/v1/watch/rec?kind=recursive");
        assertEquals(200, stream.statusCode());
        assertEquals(WatchStream.NDJSON, stream.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(stream.headers().firstValue("Transfer-Encoding").orElseThrow().contains("chunked"));
        long watchId = Long.parseLong(stream.headers().firstValue(WatchStream.WATCH_ID_HEADER).orElseThrow());

        int n = 25;
        List<Long> written = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GatewayClient.Answer set = http.send("PUT", "/v1/nodes/rec/c", utf8("v" + i), NONE);
            assertEquals(200, set.status(), set.text());
            written.add(set.revision());
        }
        try (Stream<String> lines = stream.body()) {
            List<JsonNode> got = read(lines.iterator(), n);
            for (int i = 0; i < n; i++) {
                JsonNode line = got.get(i);
                assertEquals(watchId, line.get("watchId").asLong());
                assertEquals(written.get(i), line.get("revision").asLong(), "line " + i + ": " + line);
                JsonNode event = line.get("events").get(0);
                assertEquals("DATA_CHANGED", event.get("type").asText());
                assertEquals("/rec/c", event.get("path").asText());
                assertEquals(written.get(i), event.get("revision").asLong());
                assertEquals("v" + i, event.get("utf8").asText());
                assertEquals(i + 1, event.get("stat").get("version").asInt());
            }
        }
    }

    @Test
    void fromRevisionReplaysPastEventsThenGoesLive() throws Exception {
        GatewayClient.Answer created = http.send("POST", "/v1/nodes/replay", utf8("a"), NONE);
        assertEquals(201, created.status());
        long first = created.revision();
        long second = http.send("PUT", "/v1/nodes/replay", utf8("b"), NONE).revision();
        long third = http.send("PUT", "/v1/nodes/replay", utf8("c"), NONE).revision();

        HttpResponse<Stream<String>> stream = watch(cluster.member(0).httpAddress(),
                "/v1/watch/replay?kind=persistent&from-revision=" + first);
        assertEquals(200, stream.statusCode());
        assertEquals(Long.toString(first), stream.headers().firstValue(WatchStream.FROM_HEADER).orElseThrow());
        try (Stream<String> lines = stream.body()) {
            Iterator<String> it = lines.iterator();
            List<JsonNode> past = read(it, 3);
            assertEquals(List.of(first, second, third), past.stream().map(l -> l.get("revision").asLong()).toList());
            assertEquals("CREATED", past.get(0).get("events").get(0).get("type").asText());
            assertEquals("a", past.get(0).get("events").get(0).get("utf8").asText());
            long live = http.send("DELETE", "/v1/nodes/replay", null, NONE).revision();
            JsonNode deleted = read(it, 1).get(0);
            assertEquals(live, deleted.get("revision").asLong());
            assertEquals("DELETED", deleted.get("events").get(0).get("type").asText());
        }
    }

    @Test
    void oneShotDataWatchEndsAfterItsNotification() throws Exception {
        assertEquals(201, http.send("POST", "/v1/nodes/once", null, NONE).status());
        HttpResponse<Stream<String>> stream = watch(cluster.member(0).httpAddress(), "/v1/watch/once?kind=data");
        assertEquals(200, stream.statusCode());
        long set = http.send("PUT", "/v1/nodes/once", utf8("x"), NONE).revision();
        http.send("PUT", "/v1/nodes/once", utf8("y"), NONE);
        List<String> lines = assertTimeoutPreemptively(READ_BOUND, () -> {
            try (Stream<String> body = stream.body()) {
                return body.collect(Collectors.toList());
            }
        });
        assertEquals(1, lines.size(), lines.toString());
        JsonNode line = JSON.readTree(lines.get(0));
        assertEquals(set, line.get("revision").asLong());
        assertEquals("x", line.get("events").get(0).get("utf8").asText());
    }

    @Test
    void closingTheStreamRemovesTheWatch() throws Exception {
        WatchHub hub = cluster.member(0).watches();
        assertEquals(201, http.send("POST", "/v1/nodes/gone", null, NONE).status());
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.watchesActive() == 0);
        HttpResponse<Stream<String>> stream = watch(cluster.member(0).httpAddress(), "/v1/watch/gone?kind=persistent");
        assertEquals(200, stream.statusCode());
        assertEquals(1, hub.watchesActive());
        stream.body().close();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> hub.watchesActive() == 0);
        // The member goes on serving.
        assertEquals(200, http.send("PUT", "/v1/nodes/gone", utf8("z"), NONE).status());
    }

    @Test
    void badRequestsGetTheUsualErrors() throws Exception {
        expectError(http.get("/v1/watch/x?kind=sideways"), 400, "BAD_ARGUMENTS");
        expectError(http.get("/v1/watch/x?colour=red"), 400, "BAD_ARGUMENTS");
        expectError(http.get("/v1/watch/x?from-revision=-1"), 400, "BAD_ARGUMENTS");
        expectError(http.get("/v1/watch/bad/"), 400, "INVALID_PATH");
        expectError(http.send("POST", "/v1/watch/x", null, NONE), 405, "METHOD_NOT_ALLOWED");
        assertEquals(0, cluster.member(0).watches().watchesActive());
    }

    @Test
    void aCompactedStartIsA410WithTheOldestRevision() throws Exception {
        try (InProcessCluster tuned = InProcessCluster.start(1, InProcessCluster.limits(l -> InProcessCluster.withWatchHistory(l, 4)))) {
            GatewayClient client = new GatewayClient(tuned.member(0).httpAddress());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> client.get("/ready").status() == 200);
            assertEquals(201, client.send("POST", "/v1/nodes/old", null, NONE).status());
            for (int i = 0; i < 10; i++) {
                assertEquals(200, client.send("PUT", "/v1/nodes/old", utf8("v" + i), NONE).status());
            }
            GatewayClient.Answer refused = client.get("/v1/watch/old?from-revision=1");
            expectError(refused, 410, "COMPACTED");
            long oldest = refused.json().get("error").get("oldestRevision").asLong();
            assertEquals(tuned.member(0).watches().oldestRevision(), oldest);
            assertTrue(oldest > 1, refused.text());

            HttpResponse<Stream<String>> stream = watch(tuned.member(0).httpAddress(), "/v1/watch/old?from-revision=" + oldest);
            assertEquals(200, stream.statusCode());
            try (Stream<String> lines = stream.body()) {
                assertEquals(oldest, read(lines.iterator(), 1).get(0).get("revision").asLong());
            }
        }
    }

    @Test
    void aClientThatReadsTooSlowlyGetsOverloadedAndLosesTheWatch() throws Exception {
        int dataMax = 32 * 1024;
        try (InProcessCluster tuned = InProcessCluster.start(1, InProcessCluster.limits(l -> new ServerConfig.LimitsConfig(dataMax, l.pathLengthMax(),
                dataMax + 4096, l.pendingRequestsMax(), l.connectionsMax(), l.txnOpsMax(), l.watchesPerConnectionMax(),
                l.watchHistoryEventsMax(), l.watchHistoryBytesMax(), dataMax + 4096)))) {
            GatewayClient client = new GatewayClient(tuned.member(0).httpAddress());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> client.get("/ready").status() == 200);
            assertEquals(201, client.send("POST", "/v1/nodes/slow", null, NONE).status());
            WatchHub hub = tuned.member(0).watches();
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(4096);
                socket.connect(tuned.member(0).httpAddress(), 5_000);
                socket.setSoTimeout(20_000);
                socket.getOutputStream().write("GET /v1/watch/slow HTTP/1.1\r\nHost: m\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.watchesActive() == 1);
                byte[] data = "x".repeat(dataMax - 16).getBytes(StandardCharsets.US_ASCII);
                // The client reads nothing: socket buffers fill, then the member's queue, then the watch goes.
                for (int i = 0; i < 2_000 && hub.watchesActive() > 0; i++) {
                    assertEquals(200, client.send("PUT", "/v1/nodes/slow", data, NONE).status());
                }
                assertEquals(0, hub.watchesActive());
                String received = assertTimeoutPreemptively(READ_BOUND,
                        () -> new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
                assertTrue(received.startsWith("HTTP/1.1 200"), received.substring(0, Math.min(200, received.length())));
                assertTrue(received.contains("{\"error\":{\"code\":\"OVERLOADED\""),
                        received.substring(Math.max(0, received.length() - 300)));
                assertTrue(received.endsWith("0\r\n\r\n"), "the stream ends with the last chunk");
            }
        }
    }

    private static HttpResponse<Stream<String>> watch(InetSocketAddress member, String path) throws Exception {
        URI uri = URI.create("http://" + member.getHostString() + ":" + member.getPort() + path);
        return STREAMS.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
    }

    /** The next {@code n} lines as JSON, within a bound (a missing line must fail, not hang). */
    private static List<JsonNode> read(Iterator<String> lines, int n) {
        return assertTimeoutPreemptively(READ_BOUND, () -> {
            List<JsonNode> got = new ArrayList<>();
            while (got.size() < n) {
                assertTrue(lines.hasNext(), "the stream ended after " + got.size() + " of " + n + " lines");
                String line = lines.next();
                try {
                    got.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(line, e);
                }
                assertFalse(got.get(got.size() - 1).has("error"), line);
            }
            return got;
        });
    }

    private static void expectError(GatewayClient.Answer answer, int status, String code) {
        assertEquals(status, answer.status(), answer.text());
        assertEquals(code, answer.code(), answer.text());
    }
}

package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** java.net.http against one member's gateway, with JSON answers already parsed. */
final class GatewayClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    GatewayClient(InetSocketAddress address) {
        this.base = "http://" + address.getHostString() + ":" + address.getPort();
    }

    record Answer(int status, HttpHeaders headers, byte[] body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text(), e);
            }
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The error code of an error answer. */
        String code() {
            return json().path("error").path("code").asText();
        }

        long revision() {
            return Long.parseLong(headers.firstValue("X-Coordinator-Revision").orElseThrow());
        }
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, Map.of());
    }

    /** The same as {@link #send}, not waiting for the answer: for requests that wait (a lock, a campaign). */
    java.util.concurrent.CompletableFuture<Answer> sendAsync(String method, String path, byte[] body,
                                                             Map<String, String> headers) {
        return client.sendAsync(request(method, path, body, headers), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(response -> new Answer(response.statusCode(), response.headers(), response.body()));
    }

    /** A session granted over HTTP, and the headers that act for it. */
    record Session(long id, String secret) {
        Map<String, String> headers() {
            return Map.of("X-Session-Id", Long.toString(id), "X-Session-Secret", secret);
        }
    }

    Session openSession(long ttlMillis) throws IOException, InterruptedException {
        Answer opened = send("POST", "/v1/sessions?ttl-ms=" + ttlMillis, null, Map.of());
        if (opened.status() != 201) {
            throw new AssertionError("no session: " + opened.status() + " " + opened.text());
        }
        return new Session(opened.json().get("id").asLong(), opened.json().get("secret").asText());
    }

    void closeSession(Session session) throws IOException, InterruptedException {
        Answer closed = send("DELETE", "/v1/sessions/" + session.id(), null, Map.of("X-Session-Secret", session.secret()));
        if (closed.status() != 200) {
            throw new AssertionError("session " + session.id() + " not closed: " + closed.status() + " " + closed.text());
        }
    }

    /** (java.net.http of JDK 17 hangs on a final answer to Expect: 100-continue; RawHttp tests that.) */
    Answer send(String method, String path, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(request(method, path, body, headers), HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), response.headers(), response.body());
    }

    private HttpRequest request(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return request.build();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

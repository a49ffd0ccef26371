package io.coordinator.jepsen.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal etcd v3 client over its HTTP/JSON gateway ({@code /v3/kv/put}, {@code /v3/kv/range},
 * {@code /v3/maintenance/status}; for the harness also {@code /v3/kv/txn}, {@code /v3/kv/deleterange},
 * {@code /v3/lease/grant}, {@code /v3/lease/revoke} and {@code /v3/lock/lock}), where keys and values
 * travel base64-encoded and 64-bit integers as strings; a field whose value is the default (false, 0,
 * empty) is left out of an answer. HTTP/1.1 with
 * keep-alive: the JDK client keeps one connection per request in flight and reuses idle ones, so
 * {@code n} outstanding requests settle on {@code n} connections. The gateway turns each request
 * into a gRPC call inside etcd, so this path costs etcd more than its native gRPC API would.
 */
public final class EtcdHttp implements AutoCloseable {
    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*\"([A-Za-z0-9+/=]*)\"");
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\"\\s*:\\s*\"(\\d+)\"");
    private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"(\\d+)\"");

    /** A failed request: a status other than 200, or an answer without what was asked for. */
    public static final class EtcdHttpException extends RuntimeException {
        public EtcdHttpException(String message) {
            super(message);
        }
    }

    /** What a member says about itself: its id and the id of the leader it knows (0 if none). */
    public record Status(String memberId, String leaderId) {
        public boolean isLeader() {
            return !leaderId.equals("0") && leaderId.equals(memberId);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a lock call returned: the lock's key (owned by the lease) and the revision it was granted at. */
    public record Held(byte[] key, long revision) {
    }

    private final URI put;
    private final URI range;
    private final URI status;
    private final URI txn;
    private final URI deleteRange;
    private final URI leaseGrant;
    private final URI leaseRevoke;
    private final URI lock;
    private final Duration requestTimeout;
    private final ExecutorService executor;
    private final HttpClient http;

    /** @param baseUrl a member's client URL, e.g. http://127.0.0.1:2379 */
    public EtcdHttp(String baseUrl, Duration requestTimeout) {
        this.put = URI.create(baseUrl + "/v3/kv/put");
        this.range = URI.create(baseUrl + "/v3/kv/range");
        this.status = URI.create(baseUrl + "/v3/maintenance/status");
        this.txn = URI.create(baseUrl + "/v3/kv/txn");
        this.deleteRange = URI.create(baseUrl + "/v3/kv/deleterange");
        this.leaseGrant = URI.create(baseUrl + "/v3/lease/grant");
        this.leaseRevoke = URI.create(baseUrl + "/v3/lease/revoke");
        this.lock = URI.create(baseUrl + "/v3/lock/lock");
        this.requestTimeout = requestTimeout;
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "etcd-http");
            thread.setDaemon(true);
            return thread;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static String putBody(String keyBase64, String valueBase64) {
        return "{\"key\":\"" + keyBase64 + "\",\"value\":\"" + valueBase64 + "\"}";
    }

    /** @param serializable answer from the member's local state, without a ReadIndex round */
    public static String rangeBody(String keyBase64, boolean serializable) {
        return serializable
                ? "{\"key\":\"" + keyBase64 + "\",\"serializable\":true}"
                : "{\"key\":\"" + keyBase64 + "\"}";
    }

    /** The value of the first key-value in a range answer; empty when the key does not exist. */
    public static Optional<byte[]> parseRangeValue(String json) {
        if (!json.contains("\"kvs\"")) {
            return Optional.empty();
        }
        Matcher value = VALUE.matcher(json);
        // A key-value with an empty value has no "value" field at all: JSON omits empty bytes.
        return Optional.of(value.find() ? Base64.getDecoder().decode(value.group(1)) : new byte[0]);
    }

    public static Status parseStatus(String json) {
        Matcher member = MEMBER_ID.matcher(json);
        Matcher leader = LEADER.matcher(json);
        if (!member.find()) {
            throw new EtcdHttpException("no member_id in status answer: " + json);
        }
        return new Status(member.group(1), leader.find() ? leader.group(1) : "0");
    }

    public CompletableFuture<Void> put(byte[] key, byte[] value) {
        return putBase64(base64(key), base64(value));
    }

    /** A put with key and value already encoded (the benchmark encodes each once). */
    public CompletableFuture<Void> putBase64(String keyBase64, String valueBase64) {
        return post(put, putBody(keyBase64, valueBase64)).thenApply(body -> null);
    }

    /** The key's value, or a failed future when the key does not exist. */
    public CompletableFuture<byte[]> getBase64(String keyBase64, boolean serializable) {
        return post(range, rangeBody(keyBase64, serializable)).thenApply(body -> parseRangeValue(body)
                .orElseThrow(() -> new EtcdHttpException("no such key (base64 " + keyBase64 + ")")));
    }

    /** The key's value; empty when it does not exist. */
    public CompletableFuture<Optional<byte[]>> range(byte[] key, boolean serializable) {
        return post(range, rangeBody(base64(key), serializable)).thenApply(EtcdHttp::parseRangeValue);
    }

    /** A txn: if the key's value is {@code expected}, put {@code value}; true when the compare held (and the put applied). */
    public CompletableFuture<Boolean> putIfValue(byte[] key, byte[] expected, byte[] value) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("compare").addObject().put("key", base64(key)).put("target", "VALUE").put("result", "EQUAL")
                .put("value", base64(expected));
        body.putArray("success").addObject().putObject("request_put").put("key", base64(key)).put("value", base64(value));
        return post(txn, body.toString()).thenApply(answer -> json(answer).path("succeeded").asBoolean(false));
    }

    /** Deletes the key; true when it existed. */
    public CompletableFuture<Boolean> delete(byte[] key) {
        return post(deleteRange, JSON.createObjectNode().put("key", base64(key)).toString())
                .thenApply(answer -> json(answer).path("deleted").asLong(0) > 0);
    }

    /** A new lease of {@code ttlSeconds} (etcd may raise it to its minimum); its id. */
    public CompletableFuture<Long> grantLease(long ttlSeconds) {
        return post(leaseGrant, JSON.createObjectNode().put("TTL", Long.toString(ttlSeconds)).toString())
                .thenApply(answer -> {
                    long id = json(answer).path("ID").asLong(0);
                    if (id == 0) {
                        throw new EtcdHttpException("no lease ID in " + answer);
                    }
                    return id;
                });
    }

    /** Ends the lease now: its keys are deleted. */
    public CompletableFuture<Void> revokeLease(long leaseId) {
        return post(leaseRevoke, JSON.createObjectNode().put("ID", Long.toString(leaseId)).toString()).thenApply(answer -> null);
    }

    /**
     * etcd's lock service: waits (until the request times out) for the lock {@code name}, holding a key
     * under it that lives as long as {@code leaseId}.
     */
    public CompletableFuture<Held> lock(byte[] name, long leaseId) {
        return post(lock, JSON.createObjectNode().put("name", base64(name)).put("lease", Long.toString(leaseId)).toString())
                .thenApply(answer -> {
                    JsonNode node = json(answer);
                    if (!node.hasNonNull("key")) {
                        throw new EtcdHttpException("no key in lock answer: " + answer);
                    }
                    return new Held(Base64.getDecoder().decode(node.get("key").asText()),
                            node.path("header").path("revision").asLong(0));
                });
    }

    private static JsonNode json(String answer) {
        try {
            return JSON.readTree(answer);
        } catch (java.io.IOException e) {
            throw new EtcdHttpException("not JSON: " + answer);
        }
    }

    public CompletableFuture<Status> status() {
        return post(status, "{}").thenApply(EtcdHttp::parseStatus);
    }

    private CompletableFuture<String> post(URI uri, String json) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new EtcdHttpException(uri.getPath() + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        });
    }

    /** Stops the client's threads; requests still in flight may fail. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}

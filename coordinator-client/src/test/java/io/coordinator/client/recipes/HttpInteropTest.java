package io.coordinator.client.recipes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.recipes.RecipeCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP gateway's locks and elections ({@code /v1/lock}, {@code /v1/election}, see
 * coordinator-server/HTTP.md) and this client's {@link DistributedMutex} and {@link LeaderElection}
 * on the same path are one queue: each excludes the other, in request order, with tokens that grow.
 */
class HttpInteropTest extends RecipeTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private record Answer(int status, JsonNode json) {
    }

    @Test
    void anHttpLockAndAJavaMutexOnOnePathExcludeEachOtherInTurn() throws Exception {
        Coordinator client = cluster.client();
        DistributedMutex mutex = new DistributedMutex(client, "/interop/lock");
        Map<String, String> session = openHttpSession();

        Answer httpHeld = send("POST", "/v1/lock/interop/lock", null, session);
        assertEquals(200, httpHeld.status(), httpHeld.json().toString());
        assertEquals(Optional.empty(), mutex.tryLock(Duration.ofMillis(300)), "the HTTP holder excludes Java");
        // Holds belong to a thread: the Java side locks and unlocks on one thread of its own.
        ExecutorService javaSide = Executors.newSingleThreadExecutor();
        Future<Lease> javaWaits = javaSide.submit(mutex::lock);
        await().atMost(WAIT).until(() -> queueLength(client, "/interop/lock") == 2);
        assertFalse(javaWaits.isDone());

        Answer released = send("DELETE", "/v1/lock" + httpHeld.json().get("key").asText() + "?token="
                + httpHeld.json().get("token").asLong(), null, Map.of());
        assertEquals(200, released.status(), released.json().toString());
        Lease lease = javaWaits.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(lease.token() > httpHeld.json().get("token").asLong());

        Answer refused = send("POST", "/v1/lock/interop/lock?wait-ms=300", null, session);
        assertEquals(409, refused.status(), "the Java holder excludes HTTP: " + refused.json());
        assertEquals("NOT_ACQUIRED", refused.json().get("error").get("code").asText());
        assertEquals(1, queueLength(client, "/interop/lock"), "the HTTP request left nothing behind");

        CompletableFuture<Answer> httpWaits = sendAsync("POST", "/v1/lock/interop/lock?wait-ms=15000", null, session);
        await().atMost(WAIT).until(() -> queueLength(client, "/interop/lock") == 2);
        assertFalse(httpWaits.isDone());
        // The HTTP release checks a Java holder's key as its own: a wrong token changes nothing.
        Answer wrongToken = send("DELETE", "/v1/lock" + lease.nodePath() + "?token=" + (lease.token() + 1), null, Map.of());
        assertEquals("BAD_VERSION", wrongToken.json().get("error").get("code").asText());
        assertTrue(lease.isHeld());
        javaSide.submit(mutex::unlock).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        javaSide.shutdown();
        Answer httpAgain = httpWaits.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, httpAgain.status(), httpAgain.json().toString());
        assertTrue(httpAgain.json().get("token").asLong() > lease.token());
        closeHttpSession(session);
        await().atMost(WAIT).until(() -> queueLength(client, "/interop/lock") == 0);
    }

    @Test
    void anHttpCampaignAndAJavaElectionOnOnePathSeeOneLeader() throws Exception {
        Coordinator client = cluster.client();
        LeaderElection election = new LeaderElection(client, "/interop/election");
        Leadership javaTerm = election.campaign(utf8("java"));

        Answer leader = send("GET", "/v1/election/interop/election", null, Map.of());
        assertEquals(200, leader.status(), leader.json().toString());
        assertEquals(javaTerm.nodePath(), leader.json().get("key").asText());
        assertEquals(javaTerm.token(), leader.json().get("token").asLong());
        assertEquals("java", leader.json().get("utf8").asText());

        Map<String, String> session = openHttpSession();
        CompletableFuture<Answer> campaign = sendAsync("POST", "/v1/election/interop/election?wait-ms=15000",
                utf8("http"), session);
        await().atMost(WAIT).until(() -> queueLength(client, "/interop/election") == 2);
        assertFalse(campaign.isDone(), "the Java leader leads alone");
        javaTerm.resign();
        Answer httpTerm = campaign.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, httpTerm.status(), httpTerm.json().toString());
        assertTrue(httpTerm.json().get("token").asLong() > javaTerm.token());

        Leader seenByJava = election.leader().orElseThrow();
        assertEquals(httpTerm.json().get("key").asText(), seenByJava.nodePath());
        assertEquals(httpTerm.json().get("token").asLong(), seenByJava.token());
        assertArrayEquals(utf8("http"), seenByJava.value());
        closeHttpSession(session);
        await().atMost(WAIT).until(() -> election.leader().isEmpty());
    }

    private static int queueLength(Coordinator client, String path) {
        try {
            return client.children(path).names().size();
        } catch (CoordinatorException.NoNodeException e) {
            return 0;
        }
    }

    private static Map<String, String> openHttpSession() throws IOException, InterruptedException {
        Answer opened = send("POST", "/v1/sessions?ttl-ms=10000", null, Map.of());
        assertEquals(201, opened.status(), opened.json().toString());
        return Map.of("X-Session-Id", opened.json().get("id").asText(), "X-Session-Secret",
                opened.json().get("secret").asText());
    }

    private static void closeHttpSession(Map<String, String> session) throws IOException, InterruptedException {
        Answer closed = send("DELETE", "/v1/sessions/" + session.get("X-Session-Id"), null,
                Map.of("X-Session-Secret", session.get("X-Session-Secret")));
        assertEquals(200, closed.status(), closed.json().toString());
    }

    private static Answer send(String method, String path, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        return answer(HTTP.send(request(method, path, body, headers), HttpResponse.BodyHandlers.ofByteArray()));
    }

    private static CompletableFuture<Answer> sendAsync(String method, String path, byte[] body, Map<String, String> headers) {
        return HTTP.sendAsync(request(method, path, body, headers), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(HttpInteropTest::answer);
    }

    private static HttpRequest request(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + cluster.cluster.httpEndpoint(0) + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return request.build();
    }

    private static Answer answer(HttpResponse<byte[]> response) {
        try {
            return new Answer(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + response.statusCode() + "): "
                    + new String(response.body(), StandardCharsets.UTF_8), e);
        }
    }
}

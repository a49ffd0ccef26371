package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.coordinator.server.http.GatewayClient.utf8;
import static io.coordinator.server.http.HttpGatewayTest.expectError;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v1/lock/NAME} and {@code DELETE /v1/lock/KEY?token=T}: exclusion in request order,
 * fencing tokens that grow, and bad input refused with nothing changed.
 */
class HttpLockTest extends OneMemberGatewayTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void threeLockersHoldOneAtATimeInRequestOrderWithGrowingTokens() throws Exception {
        List<GatewayClient.Session> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(http.openSession(10_000));
        }
        JsonNode first = held(http.send("POST", "/v1/lock/locks/fair", null, sessions.get(0).headers()), "/locks/fair");
        CompletableFuture<GatewayClient.Answer> second = lockAsync("/locks/fair", sessions.get(1), 15_000);
        awaitQueueLength("/locks/fair", 2);
        CompletableFuture<GatewayClient.Answer> third = lockAsync("/locks/fair", sessions.get(2), 15_000);
        awaitQueueLength("/locks/fair", 3);
        assertFalse(second.isDone() || third.isDone(), "nobody else holds while the first does");

        release(first);
        JsonNode secondHeld = held(second.get(WAIT.toSeconds(), TimeUnit.SECONDS), "/locks/fair");
        assertTrue(secondHeld.get("token").asLong() > first.get("token").asLong());
        assertEquals(sessions.get(1).id(), secondHeld.get("session").asLong());
        assertFalse(third.isDone(), "the third waits behind the second");

        release(secondHeld);
        JsonNode thirdHeld = held(third.get(WAIT.toSeconds(), TimeUnit.SECONDS), "/locks/fair");
        assertTrue(thirdHeld.get("token").asLong() > secondHeld.get("token").asLong());
        release(thirdHeld);
        assertEquals(0, queue("/locks/fair").size());
        for (GatewayClient.Session session : sessions) {
            http.closeSession(session);
        }
    }

    @Test
    void aFencedTxnWithTheTokenAppliesWhileHeldAndIsRefusedOnceReleased() throws Exception {
        GatewayClient.Session session = http.openSession(10_000);
        assertEquals(201, http.send("POST", "/v1/nodes/fenced-resource", utf8("v0"), NONE).status());
        JsonNode lock = held(http.send("POST", "/v1/lock/locks/fence", null, session.headers()), "/locks/fence");

        GatewayClient.Answer write = fencedSet(lock, "v1");
        assertEquals(200, write.status(), write.text());
        assertTrue(write.json().get("succeeded").asBoolean(), write.text());
        release(lock);
        GatewayClient.Answer late = fencedSet(lock, "v2");
        assertEquals(200, late.status(), late.text());
        assertFalse(late.json().get("succeeded").asBoolean(), "a released grant fences nothing in: " + late.text());
        assertEquals("v1", http.get("/v1/nodes/fenced-resource").json().get("utf8").asText());
        http.closeSession(session);
    }

    @Test
    void aWaiterGetsTheLockWhenTheHoldersSessionEndsWithALargerToken() throws Exception {
        GatewayClient.Session holder = http.openSession(10_000);
        GatewayClient.Session waiter = http.openSession(10_000);
        JsonNode first = held(http.send("POST", "/v1/lock/locks/handover", null, holder.headers()), "/locks/handover");
        CompletableFuture<GatewayClient.Answer> next = lockAsync("/locks/handover", waiter, 15_000);
        awaitQueueLength("/locks/handover", 2);

        http.closeSession(holder);
        JsonNode taken = held(next.get(WAIT.toSeconds(), TimeUnit.SECONDS), "/locks/handover");
        assertTrue(taken.get("token").asLong() > first.get("token").asLong());
        // The old holder's key is gone with its session: releasing it is NO_NODE and changes nothing.
        expectError(http.send("DELETE", "/v1/lock" + first.get("key").asText() + "?token=" + first.get("token").asLong(),
                null, NONE), 404, "NO_NODE");
        assertEquals(List.of(name(taken)), queue("/locks/handover"));
        http.closeSession(waiter);
    }

    @Test
    void aWaitThatRunsOutAnswersNotAcquiredAndLeavesNoNode() throws Exception {
        GatewayClient.Session holder = http.openSession(10_000);
        GatewayClient.Session waiter = http.openSession(10_000);
        JsonNode lock = held(http.send("POST", "/v1/lock/locks/busy", null, holder.headers()), "/locks/busy");

        expectError(http.send("POST", "/v1/lock/locks/busy?wait-ms=300", null, waiter.headers()), 409, "NOT_ACQUIRED");
        assertEquals(List.of(name(lock)), queue("/locks/busy"));
        expectError(http.send("POST", "/v1/lock/locks/busy?wait-ms=0", null, waiter.headers()), 409, "NOT_ACQUIRED");
        assertEquals(List.of(name(lock)), queue("/locks/busy"));

        release(lock);
        held(http.send("POST", "/v1/lock/locks/busy?wait-ms=0", null, waiter.headers()), "/locks/busy");
        http.closeSession(holder);
        http.closeSession(waiter);
    }

    @Test
    void aWaiterWhoseSessionEndsGetsSessionExpired() throws Exception {
        GatewayClient.Session holder = http.openSession(10_000);
        GatewayClient.Session waiter = http.openSession(10_000);
        JsonNode lock = held(http.send("POST", "/v1/lock/locks/expiry", null, holder.headers()), "/locks/expiry");
        CompletableFuture<GatewayClient.Answer> waiting = lockAsync("/locks/expiry", waiter, 15_000);
        awaitQueueLength("/locks/expiry", 2);

        http.closeSession(waiter);
        expectError(waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS), 410, "SESSION_EXPIRED");
        assertEquals(List.of(name(lock)), queue("/locks/expiry"));
        release(lock);
        http.closeSession(holder);
    }

    @Test
    void aClientThatHangsUpWhileWaitingLeavesNoNode() throws Exception {
        GatewayClient.Session holder = http.openSession(10_000);
        GatewayClient.Session waiter = http.openSession(10_000);
        JsonNode lock = held(http.send("POST", "/v1/lock/locks/hangup", null, holder.headers()), "/locks/hangup");
        try (RawHttp raw = new RawHttp(cluster.member(0).httpAddress())) {
            raw.send("POST /v1/lock/locks/hangup?wait-ms=15000 HTTP/1.1\r\nHost: x\r\nX-Session-Id: " + waiter.id()
                    + "\r\nX-Session-Secret: " + waiter.secret() + "\r\nContent-Length: 0\r\n\r\n");
            awaitQueueLength("/locks/hangup", 2);
        }
        awaitQueueLength("/locks/hangup", 1);
        assertEquals(List.of(name(lock)), queue("/locks/hangup"));
        release(lock);
        http.closeSession(holder);
        http.closeSession(waiter);
    }

    @Test
    void releasingWithAWrongTokenOrAsAWaiterIsRefusedAndChangesNothing() throws Exception {
        GatewayClient.Session holder = http.openSession(10_000);
        GatewayClient.Session waiter = http.openSession(10_000);
        JsonNode lock = held(http.send("POST", "/v1/lock/locks/strict", null, holder.headers()), "/locks/strict");
        String key = lock.get("key").asText();
        long token = lock.get("token").asLong();
        CompletableFuture<GatewayClient.Answer> waiting = lockAsync("/locks/strict", waiter, 15_000);
        awaitQueueLength("/locks/strict", 2);
        JsonNode listed = http.get("/v1/children/locks/strict?stats=true").json();
        int waiterIndex = listed.get("children").get(0).asText().equals(name(lock)) ? 1 : 0;
        String waiterKey = "/locks/strict/" + listed.get("children").get(waiterIndex).asText();
        long waiterToken = listed.get("stats").get(waiterIndex).get("createRevision").asLong();

        expectError(http.send("DELETE", "/v1/lock" + key + "?token=" + (token + 1), null, NONE), 409, "BAD_VERSION");
        expectError(http.send("DELETE", "/v1/lock" + waiterKey + "?token=" + waiterToken, null, NONE), 409, "NOT_HOLDER");
        expectError(http.send("DELETE", "/v1/lock/locks/strict/lock-00000000000000aa-0000000000000000999?token=7",
                null, NONE), 404, "NO_NODE");
        expectError(http.send("DELETE", "/v1/lock/locks/unknown/lock-00000000000000aa-0000000000000000001?token=7",
                null, NONE), 404, "NO_NODE");
        expectError(http.send("DELETE", "/v1/lock" + key, null, NONE), 400, "BAD_ARGUMENTS");
        expectError(http.send("DELETE", "/v1/lock" + key + "?token=" + token + "&token=" + token, null, NONE), 400,
                "BAD_ARGUMENTS");
        expectError(http.send("DELETE", "/v1/lock" + key + "?token=" + token + "&force=true", null, NONE), 400,
                "BAD_ARGUMENTS");
        expectError(http.send("DELETE", "/v1/lock/locks/strict?token=" + token, null, NONE), 400, "BAD_ARGUMENTS");
        assertEquals(2, queue("/locks/strict").size(), "nothing was released");
        assertFalse(waiting.isDone());

        release(lock);
        release(held(waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS), "/locks/strict"));
        http.closeSession(holder);
        http.closeSession(waiter);
    }

    @Test
    void badNamesAndMissingSessionsAreRefusedAndCreateNothing() throws Exception {
        GatewayClient.Session session = http.openSession(10_000);
        String huge = "/huge/" + "x".repeat(5_000);
        expectError(http.send("POST", "/v1/lock" + huge, null, session.headers()), 413, "TOO_LARGE");
        assertFalse(http.get("/v1/exists/huge").json().get("exists").asBoolean(), "not even an ancestor was created");
        assertEquals(414, http.send("POST", "/v1/lock/huge/" + "y".repeat(9_000), null, session.headers()).status());
        expectError(http.send("POST", "/v1/lock/a/./b", null, session.headers()), 400, "INVALID_PATH");

        expectError(http.send("POST", "/v1/lock/locks/nosession", null, NONE), 400, "BAD_ARGUMENTS");
        expectError(http.send("POST", "/v1/lock/locks/nosession", null,
                Map.of("X-Session-Id", Long.toString(session.id()))), 400, "BAD_ARGUMENTS");
        expectError(http.send("POST", "/v1/lock/locks/nosession", null, Map.of("X-Session-Id", Long.toString(session.id()),
                "X-Session-Secret", Long.toString(Long.parseLong(session.secret()) ^ 1))), 403, "UNAUTHORIZED");
        expectError(http.send("POST", "/v1/lock/locks/nosession?wait-ms=-1", null, session.headers()), 400, "BAD_ARGUMENTS");
        expectError(http.send("POST", "/v1/lock/locks/nosession?wait-ms=999999999", null, session.headers()), 400,
                "BAD_ARGUMENTS");
        expectError(http.send("POST", "/v1/lock/locks/nosession?timeout=5", null, session.headers()), 400, "BAD_ARGUMENTS");
        assertFalse(http.get("/v1/exists/locks/nosession").json().get("exists").asBoolean());
        assertEquals(405, http.send("PUT", "/v1/lock/locks/nosession", null, session.headers()).status());

        http.closeSession(session);
        expectError(http.send("POST", "/v1/lock/locks/nosession", null, session.headers()), 410, "SESSION_EXPIRED");
        assertFalse(http.get("/v1/exists/locks/nosession").json().get("exists").asBoolean());
    }

    private static CompletableFuture<GatewayClient.Answer> lockAsync(String name, GatewayClient.Session session, long waitMillis) {
        return http.sendAsync("POST", "/v1/lock" + name + "?wait-ms=" + waitMillis, null, session.headers());
    }

    /** The answer of a granted lock, checked. */
    private static JsonNode held(GatewayClient.Answer answer, String name) throws IOException, InterruptedException {
        assertEquals(200, answer.status(), answer.text());
        JsonNode body = answer.json();
        assertEquals(name, body.get("name").asText());
        assertTrue(body.get("key").asText().startsWith(name + "/lock-"), answer.text());
        assertEquals(body.get("token").asLong(), http.get("/v1/nodes" + body.get("key").asText())
                .json().get("stat").get("createRevision").asLong(), "the token is the key's createRevision");
        assertEquals(answer.revision(), body.get("revision").asLong());
        return body;
    }

    private static void release(JsonNode lock) throws IOException, InterruptedException {
        GatewayClient.Answer released = http.send("DELETE", "/v1/lock" + lock.get("key").asText() + "?token="
                + lock.get("token").asLong(), null, NONE);
        assertEquals(200, released.status(), released.text());
        assertTrue(released.json().get("released").asBoolean());
    }

    private static GatewayClient.Answer fencedSet(JsonNode lock, String value) throws IOException, InterruptedException {
        String txn = "{\"compares\": [{\"target\": \"CREATE_REVISION\", \"path\": \"" + lock.get("key").asText()
                + "\", \"op\": \"EQUAL\", \"number\": " + lock.get("token").asLong() + "}],"
                + " \"then\": [{\"@type\": \"set\", \"path\": \"/fenced-resource\", \"data\": \""
                + java.util.Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
                + "\", \"expectedVersion\": -1}]}";
        return http.send("POST", "/v1/txn", utf8(txn), NONE);
    }

    private static String name(JsonNode lock) {
        String key = lock.get("key").asText();
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** The lock's queue: its directory's children (none once the container is gone). */
    private static List<String> queue(String name) throws IOException, InterruptedException {
        GatewayClient.Answer children = http.get("/v1/children" + name);
        if (children.status() == 404) {
            return List.of();
        }
        assertEquals(200, children.status(), children.text());
        List<String> names = new ArrayList<>();
        children.json().get("children").forEach(n -> names.add(n.asText()));
        return names;
    }

    private static void awaitQueueLength(String name, int length) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> queue(name).size() == length);
    }
}

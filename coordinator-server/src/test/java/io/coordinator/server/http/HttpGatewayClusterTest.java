package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.coordinator.server.support.InProcessCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
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

/** The gateway on a 3-member cluster: any member serves any client; a cut-off member says it is not ready. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpGatewayClusterTest {
    private static final Map<String, String> NONE = Map.of();
    private static InProcessCluster cluster;
    private static final List<GatewayClient> http = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = InProcessCluster.start(3);
        for (int i = 0; i < 3; i++) {
            http.add(new GatewayClient(cluster.member(i).httpAddress()));
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(HttpGatewayClusterTest::allReady);
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aWriteThroughOneMemberIsReadThroughEveryOther() throws Exception {
        GatewayClient.Answer created = http.get(0).send("POST", "/v1/nodes/shared", utf8("one"), NONE);
        assertEquals(201, created.status(), created.text());
        assertEquals("one", http.get(1).get("/v1/nodes/shared").json().get("utf8").asText());
        assertEquals("one", http.get(2).get("/v1/nodes/shared?consistency=serializable&min-revision="
                + created.revision()).json().get("utf8").asText());
    }

    @Test
    @Order(2)
    void aSessionGrantedOnOneMemberIsUsableOnAnother() throws Exception {
        JsonNode opened = http.get(1).send("POST", "/v1/sessions?ttl-ms=10000", null, NONE).json();
        Map<String, String> session = Map.of("X-Session-Id", opened.get("id").asText(),
                "X-Session-Secret", opened.get("secret").asText());
        try {
            GatewayClient.Answer created = http.get(2).send("POST", "/v1/nodes/owned?mode=ephemeral", null, session);
            assertEquals(201, created.status(), created.text());
            assertEquals(200, http.get(0).send("POST", "/v1/sessions/" + opened.get("id").asText() + "/keepalive",
                    null, session).status());
        } finally {
            assertEquals(200, http.get(2).send("DELETE", "/v1/sessions/" + opened.get("id").asText(), null, session)
                    .status());
        }
        expectError(http.get(0).get("/v1/nodes/owned"), 404, "NO_NODE");
    }

    @Test
    @Order(2)
    void aLockHeldThroughOneMemberIsWaitedForOnAnotherAndReleasedThroughAThird() throws Exception {
        GatewayClient.Session holder = http.get(0).openSession(10_000);
        GatewayClient.Session waiter = http.get(1).openSession(10_000);
        GatewayClient.Answer held = http.get(0).send("POST", "/v1/lock/locks/spread", null, holder.headers());
        assertEquals(200, held.status(), held.text());
        // The waiter's member learns of the release from its own copy of the log (its watch hub).
        CompletableFuture<GatewayClient.Answer> waiting = http.get(1).sendAsync("POST",
                "/v1/lock/locks/spread?wait-ms=15000", null, waiter.headers());
        await().atMost(Duration.ofSeconds(20)).until(() ->
                http.get(2).get("/v1/children/locks/spread").json().get("children").size() == 2);
        assertFalse(waiting.isDone());

        GatewayClient.Answer released = http.get(2).send("DELETE", "/v1/lock" + held.json().get("key").asText()
                + "?token=" + held.json().get("token").asLong(), null, NONE);
        assertEquals(200, released.status(), released.text());
        GatewayClient.Answer next = waiting.get(20, TimeUnit.SECONDS);
        assertEquals(200, next.status(), next.text());
        assertTrue(next.json().get("token").asLong() > held.json().get("token").asLong());
        http.get(2).closeSession(holder);
        http.get(2).closeSession(waiter);
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get(0).get("/v1/children/locks/spread").status() == 404);
    }

    @Test
    @Order(3)
    void theStatusPageShowsEveryMemberAsItSeesItself() throws Exception {
        String page = http.get(0).get("/").text();
        for (String member : new String[]{"m1", "m2", "m3"}) {
            assertTrue(page.contains("<td>" + member), member + " in " + page);
        }
        assertTrue(page.contains("LEADER"), page);
        assertFalse(page.contains("class=\"down\"") || page.contains("class=\"slow\""), page);
    }

    @Test
    @Order(4)
    void aMemberCutOffFromTheMajorityIsHealthyButNotReadyAndRefusesWrites() throws Exception {
        cluster.member(1).close();
        cluster.member(2).close();
        GatewayClient survivor = http.get(0);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> status(survivor, "/ready") == 503);
        assertEquals(200, survivor.get("/health").status());

        GatewayClient.Answer write = survivor.send("POST", "/v1/nodes/lonely", null, NONE);
        assertTrue(write.status() == 503 || write.status() == 504, write.text());
        assertTrue(List.of("UNAVAILABLE", "TIMEOUT").contains(write.code()), write.text());

        String page = survivor.get("/").text();
        assertTrue(page.contains("down: connection refused"), page);
    }

    private static boolean allReady() throws IOException, InterruptedException {
        for (GatewayClient client : http) {
            if (status(client, "/ready") != 200) {
                return false;
            }
        }
        return true;
    }

    private static int status(GatewayClient client, String path) throws IOException, InterruptedException {
        return client.get(path).status();
    }
}

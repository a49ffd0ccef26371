package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.support.RawConnection;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.coordinator.server.http.GatewayClient.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP/JSON gateway of a single member: the same operations as the binary port, errors as
 * typed JSON with fitting statuses, sessions and ephemerals, bounds, and the operator endpoints.
 */
class HttpGatewayTest extends OneMemberGatewayTest {

    @Test
    void createGetSetDeleteRoundTripAsOverTheBinaryPort() throws Exception {
        GatewayClient.Answer created = http.send("POST", "/v1/nodes/rt", utf8("hello"), NONE);
        assertEquals(201, created.status(), created.text());
        assertEquals("/rt", created.json().get("path").asText());
        assertEquals("/v1/nodes/rt", created.headers().firstValue("Location").orElseThrow());
        long createdAt = created.json().get("revision").asLong();
        assertEquals(createdAt, created.revision());

        JsonNode got = http.get("/v1/nodes/rt").json();
        assertEquals("hello", got.get("utf8").asText());
        assertEquals(Base64.getEncoder().encodeToString(utf8("hello")), got.get("data").asText());
        assertEquals(0, got.get("stat").get("version").asInt());
        assertEquals(createdAt, got.get("stat").get("createRevision").asLong());

        GatewayClient.Answer set = http.send("PUT", "/v1/nodes/rt?version=0", utf8("world"), NONE);
        assertEquals(200, set.status(), set.text());
        assertEquals(1, set.json().get("stat").get("version").asInt());
        assertEquals("world", http.get("/v1/nodes/rt?consistency=serializable&min-revision=" + set.revision())
                .json().get("utf8").asText());

        assertEquals(201, http.send("POST", "/v1/nodes/rt/child", null, NONE).status());
        JsonNode children = http.get("/v1/children/rt?stats=true").json();
        assertEquals(List.of("child"), List.of(children.get("children").get(0).asText()));
        assertEquals(1, children.get("stats").size());
        assertEquals(1, children.get("stat").get("numChildren").asInt());
        assertTrue(http.get("/v1/children/").json().get("children").toString().contains("\"rt\""));

        JsonNode exists = http.get("/v1/exists/rt/child").json();
        assertTrue(exists.get("exists").asBoolean());
        assertEquals(200, http.send("HEAD", "/v1/nodes/rt", null, NONE).status());

        GatewayClient.Answer deleted = http.send("DELETE", "/v1/nodes/rt?recursive=true", null, NONE);
        assertEquals(200, deleted.status(), deleted.text());
        assertEquals(2, deleted.json().get("deleted").asInt());
        assertFalse(http.get("/v1/exists/rt").json().get("exists").asBoolean());
        assertEquals(404, http.send("HEAD", "/v1/nodes/rt", null, NONE).status());
    }

    @Test
    void dataThatIsNotUtf8ComesBackAsBase64Only() throws Exception {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1};
        assertEquals(201, http.send("POST", "/v1/nodes/binary", binary, NONE).status());
        JsonNode got = http.get("/v1/nodes/binary").json();
        assertEquals(Base64.getEncoder().encodeToString(binary), got.get("data").asText());
        assertFalse(got.has("utf8"));
    }

    @Test
    void everyErrorIsTypedJsonWithAFittingStatus() throws Exception {
        assertEquals(201, http.send("POST", "/v1/nodes/errors", null, NONE).status());
        assertEquals(201, http.send("POST", "/v1/nodes/errors/c", null, NONE).status());

        expectError(http.get("/v1/nodes/errors/missing"), 404, "NO_NODE");
        expectError(http.send("POST", "/v1/nodes/errors", null, NONE), 409, "NODE_EXISTS");
        expectError(http.send("PUT", "/v1/nodes/errors?version=7", null, NONE), 409, "BAD_VERSION");
        expectError(http.send("DELETE", "/v1/nodes/errors", null, NONE), 409, "NOT_EMPTY");
        expectError(http.send("POST", "/v1/nodes/errors/", null, NONE), 400, "INVALID_PATH");
        expectError(http.send("POST", "/v1/nodes/errors/x?mode=sideways", null, NONE), 400, "BAD_ARGUMENTS");
        expectError(http.send("POST", "/v1/nodes/errors/x?colour=red", null, NONE), 400, "BAD_ARGUMENTS");
        expectError(http.send("PUT", "/v1/nodes/errors?version=abc", null, NONE), 400, "BAD_ARGUMENTS");
        expectError(http.get("/v1/nodes/errors?consistency=eventual"), 400, "BAD_ARGUMENTS");
        expectError(http.send("POST", "/v1/nodes/errors/e?mode=ephemeral", null, NONE), 400, "BAD_ARGUMENTS");
        expectError(http.send("POST", "/v1/txn", utf8("{not json"), NONE), 400, "MALFORMED");
        expectError(http.send("POST", "/v1/txn", utf8("{\"then\":[{\"@type\":\"explode\"}]}"), NONE), 400, "MALFORMED");
        expectError(http.get("/v1/nowhere"), 404, "NO_ROUTE");
        GatewayClient.Answer wrongMethod = http.send("PATCH", "/v1/nodes/errors", null, NONE);
        expectError(wrongMethod, 405, "METHOD_NOT_ALLOWED");
        assertTrue(wrongMethod.headers().firstValue("Allow").orElseThrow().contains("PUT"));

        GatewayClient.Answer future = http.get("/v1/nodes/errors?consistency=serializable&min-revision=999999999");
        expectError(future, 503, "UNAVAILABLE");
        assertEquals("1", future.headers().firstValue("Retry-After").orElseThrow());
    }

    @Test
    void aTxnTakesTheProtocolJsonAndIsAllOrNothing() throws Exception {
        assertEquals(201, http.send("POST", "/v1/nodes/txn-a", utf8("v1"), NONE).status());
        String v2 = Base64.getEncoder().encodeToString(utf8("v2"));
        String casOnVersion0 = "{\"compares\":[{\"target\":\"VERSION\",\"path\":\"/txn-a\",\"op\":\"EQUAL\",\"number\":0,\"value\":\"\"}],"
                + "\"then\":[{\"@type\":\"set\",\"path\":\"/txn-a\",\"data\":\"" + v2 + "\",\"expectedVersion\":-1}],"
                + "\"otherwise\":[{\"@type\":\"get\",\"path\":\"/txn-a\"}]}";

        GatewayClient.Answer first = http.send("POST", "/v1/txn", utf8(casOnVersion0), NONE);
        assertEquals(200, first.status(), first.text());
        assertTrue(first.json().get("succeeded").asBoolean());
        assertEquals("updated", first.json().get("results").get(0).get("type").asText());

        JsonNode second = http.send("POST", "/v1/txn", utf8(casOnVersion0), NONE).json();
        assertFalse(second.get("succeeded").asBoolean());
        assertEquals("data", second.get("results").get(0).get("type").asText());
        assertEquals("v2", second.get("results").get(0).get("utf8").asText());

        String readOnly = "{\"@type\":\"txn\",\"compares\":[],\"then\":[{\"@type\":\"exists\",\"path\":\"/txn-a\"}],\"otherwise\":[]}";
        JsonNode read = http.send("POST", "/v1/txn?consistency=serializable", utf8(readOnly), NONE).json();
        assertTrue(read.get("results").get(0).get("exists").asBoolean());

        String halfBad = "{\"compares\":[],\"otherwise\":[],\"then\":["
                + "{\"@type\":\"create\",\"path\":\"/txn-b\",\"data\":\"\",\"mode\":\"PERSISTENT\",\"ttlMillis\":0},"
                + "{\"@type\":\"create\",\"path\":\"/txn-missing/c\",\"data\":\"\",\"mode\":\"PERSISTENT\",\"ttlMillis\":0}]}";
        expectError(http.send("POST", "/v1/txn", utf8(halfBad), NONE), 404, "NO_NODE");
        expectError(http.get("/v1/nodes/txn-b"), 404, "NO_NODE");
    }

    @Test
    void anEphemeralNodeLivesAsLongAsItsHttpSession() throws Exception {
        GatewayClient.Answer opened = http.send("POST", "/v1/sessions?ttl-ms=10000", null, NONE);
        assertEquals(201, opened.status(), opened.text());
        long id = opened.json().get("id").asLong();
        String secret = opened.json().get("secret").asText();
        assertEquals(10_000, opened.json().get("ttlMillis").asLong());
        Map<String, String> session = Map.of("X-Session-Id", Long.toString(id), "X-Session-Secret", secret);
        Map<String, String> forged = Map.of("X-Session-Id", Long.toString(id),
                "X-Session-Secret", Long.toString(Long.parseLong(secret) ^ 1));
        try {
            assertEquals(201, http.send("POST", "/v1/nodes/eph?mode=ephemeral", utf8("here"), session).status());
            assertEquals(id, http.get("/v1/nodes/eph").json().get("stat").get("ephemeralOwner").asLong());
            expectError(http.send("POST", "/v1/nodes/eph2?mode=ephemeral", null, forged), 403, "UNAUTHORIZED");
            expectError(http.send("POST", "/v1/nodes/eph2?mode=ephemeral", null,
                    Map.of("X-Session-Id", Long.toString(id))), 400, "BAD_ARGUMENTS");
            expectError(http.send("POST", "/v1/sessions/" + id + "/keepalive", null, forged), 403, "UNAUTHORIZED");
            GatewayClient.Answer kept = http.send("POST", "/v1/sessions/" + id + "/keepalive", null, session);
            assertEquals(200, kept.status(), kept.text());
            expectError(http.send("DELETE", "/v1/sessions/" + id, null, forged), 403, "UNAUTHORIZED");
        } finally {
            GatewayClient.Answer closed = http.send("DELETE", "/v1/sessions/" + id, null, session);
            assertEquals(200, closed.status(), closed.text());
        }
        expectError(http.get("/v1/nodes/eph"), 404, "NO_NODE");
        expectError(http.send("POST", "/v1/sessions/" + id + "/keepalive", null, session), 410, "SESSION_EXPIRED");
        expectError(http.send("POST", "/v1/nodes/eph3?mode=ephemeral", null, session), 410, "SESSION_EXPIRED");
        expectError(http.send("POST", "/v1/sessions?ttl-ms=1", null, NONE), 400, "BAD_ARGUMENTS");
    }

    @Test
    void aRetriedWriteWithTheSameRequestSequenceIsAppliedOnce() throws Exception {
        JsonNode opened = http.send("POST", "/v1/sessions?ttl-ms=10000", null, NONE).json();
        Map<String, String> session = Map.of("X-Session-Id", opened.get("id").asText(),
                "X-Session-Secret", opened.get("secret").asText(), "X-Request-Sequence", "1");
        try {
            assertEquals(201, http.send("POST", "/v1/nodes/dedup", null, NONE).status());
            GatewayClient.Answer first = http.send("POST", "/v1/nodes/dedup/n-?mode=persistent-sequential", null, session);
            GatewayClient.Answer retry = http.send("POST", "/v1/nodes/dedup/n-?mode=persistent-sequential", null, session);
            assertEquals(201, first.status(), first.text());
            assertEquals(first.json().get("path"), retry.json().get("path"));
            assertEquals(first.revision(), retry.revision());
            assertEquals(1, http.get("/v1/children/dedup").json().get("children").size());
        } finally {
            http.send("DELETE", "/v1/sessions/" + opened.get("id").asText(), null,
                    Map.of("X-Session-Secret", opened.get("secret").asText()));
        }
    }

    @Test
    void aBodyOverTheLimitGets413AndCommitsNothing() throws Exception {
        ServerConfig config = cluster.config("m1");
        long before = http.get("/v1/exists/").revision();

        byte[] overFrame = new byte[config.limits().frameBytesMax() + 1];
        expectError(http.send("POST", "/v1/nodes/huge", overFrame, NONE), 413, "TOO_LARGE");
        byte[] overData = new byte[config.limits().dataBytesMax() + 1];
        expectError(http.send("POST", "/v1/nodes/huge", overData, NONE), 413, "TOO_LARGE");

        expectError(http.get("/v1/nodes/huge"), 404, "NO_NODE");
        assertEquals(before, http.get("/v1/exists/").revision());
    }

    @Test
    void aConnectionStaysUsableAfterA413AndAnswersPipelinedRequestsInOrder() throws Exception {
        int overFrame = cluster.config("m1").limits().frameBytesMax() + 1;
        try (RawHttp raw = new RawHttp(cluster.member(0).httpAddress())) {
            raw.send("POST /v1/nodes/big HTTP/1.1\r\nHost: x\r\nContent-Length: " + overFrame + "\r\n\r\n");
            raw.send(new byte[overFrame]);
            RawHttp.Response tooLarge = raw.read();
            assertEquals(413, tooLarge.status());
            assertTrue(tooLarge.body().contains("TOO_LARGE"), tooLarge.body());

            // Expect: 100-continue over the limit: refused before the body is sent, and the body never comes
            raw.send("PUT /v1/nodes/big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + overFrame
                    + "\r\n\r\n");
            RawHttp.Response refused = raw.read();
            assertEquals(413, refused.status());
            assertTrue(refused.body().contains("TOO_LARGE"), refused.body());

            raw.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/nodes/pipelined-missing HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, raw.read().status());
            assertEquals(404, raw.read().status());
            RawHttp.Response status = raw.read();
            assertEquals(200, status.status());
            assertTrue(status.body().contains("\"members\""), status.body());
        }
    }

    @Test
    void aGarbageRequestGets400AndClosesOnlyItsOwnConnection() throws Exception {
        try (RawHttp bystander = new RawHttp(cluster.member(0).httpAddress());
             RawHttp vandal = new RawHttp(cluster.member(0).httpAddress())) {
            bystander.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, bystander.read().status());

            vandal.send("\u0001\u0002 GARBAGE \u00ff\r\n\r\n");
            RawHttp.Response refused = vandal.read();
            assertEquals(400, refused.status());
            assertTrue(refused.body().contains("MALFORMED"), refused.body());
            assertTrue(vandal.closedByServer());

            bystander.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, bystander.read().status());
        }
        try (RawHttp longLine = new RawHttp(cluster.member(0).httpAddress())) {
            longLine.send("GET /v1/nodes/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(414, longLine.read().status());
            assertTrue(longLine.closedByServer());
        }
        try (RawHttp bigHeaders = new RawHttp(cluster.member(0).httpAddress())) {
            bigHeaders.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: " + "b".repeat(40_000) + "\r\n\r\n");
            assertEquals(431, bigHeaders.read().status());
            assertTrue(bigHeaders.closedByServer());
        }
        assertEquals(200, http.get("/health").status());
    }

    @Test
    void metricsAreValidPrometheusTextWithRequestTimersOfBothPorts() throws Exception {
        assertEquals(201, http.send("POST", "/v1/nodes/metered", utf8("m"), NONE).status());
        assertEquals(200, http.get("/v1/nodes/metered").status());
        assertTrue(http.send("POST", "/v1/sessions?ttl-ms=10000", null, NONE).status() < 300);
        try (RawConnection binary = new RawConnection(cluster.clientAddress(0))) {
            assertInstanceOf(Response.ExistsResult.class, binary.execute(new Op.Exists("/metered")).response());
        }

        GatewayClient.Answer scraped = http.get("/metrics");
        assertEquals(200, scraped.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", scraped.headers().firstValue("Content-Type").orElseThrow());
        Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(scraped.text());

        PrometheusTextParser.Family requests = families.get("coordinator_request_seconds");
        assertEquals("summary", requests.type);
        for (String op : new String[]{"create", "get", "exists"}) {
            List<PrometheusTextParser.Sample> count = requests.find("coordinator_request_seconds_count", "op", op);
            assertFalse(count.isEmpty(), "a timer for " + op);
            assertTrue(count.get(0).value() >= 1, op);
        }
        assertTrue(value(families, "coordinator_commit_seconds_count") >= 1);
        assertTrue(families.get("coordinator_batch_requests").find("coordinator_batch_requests_count", "kind", "write")
                .get(0).value() >= 1);
        assertEquals(1.0, value(families, "coordinator_is_leader"));
        assertTrue(value(families, "coordinator_leader_changes_total") >= 1);
        assertTrue(value(families, "coordinator_term") >= 1);
        assertTrue(value(families, "coordinator_revision") >= 1);
        assertTrue(value(families, "coordinator_applied_index") >= 1);
        assertTrue(value(families, "coordinator_commit_index") >= 1);
        assertTrue(value(families, "coordinator_client_received_bytes_total") > 0);
        assertTrue(value(families, "coordinator_client_sent_bytes_total") > 0);
        assertTrue(value(families, "coordinator_http_received_bytes_total") > 0);
        assertTrue(value(families, "coordinator_http_connections") >= 1);
        assertTrue(value(families, "coordinator_sessions") >= 1, "a session was just opened");
        assertTrue(families.containsKey("coordinator_watches"), "coordinator_watches");
        for (String family : new String[]{"coordinator_pending_requests", "coordinator_queued_requests",
                "coordinator_client_connections", "coordinator_http_requests_total", "coordinator_read_index_seconds",
                "jvm_memory_used_bytes", "jvm_threads_current", "process_start_time_seconds"}) {
            assertTrue(families.containsKey(family), family);
            assertTrue(families.get(family).help != null, "help for " + family);
        }
        assertFalse(families.get("coordinator_http_requests_total")
                .find("coordinator_http_requests_total", "route", "nodes", "method", "POST", "code", "201").isEmpty());
    }

    @Test
    void healthReadyStatusAndThePageDescribeTheMember() throws Exception {
        GatewayClient.Answer health = http.get("/health");
        assertEquals(200, health.status());
        assertEquals("m1", health.json().get("member").asText());
        assertEquals("m1", health.headers().firstValue("X-Coordinator-Member").orElseThrow());

        JsonNode ready = http.get("/ready").json();
        assertTrue(ready.get("ready").asBoolean());
        assertEquals("m1", ready.get("leader").asText());

        JsonNode status = http.get("/v1/status").json();
        assertEquals("LEADER", status.get("self").get("role").asText());
        assertEquals(cluster.member(0).httpAddress().getPort(),
                Integer.parseInt(status.get("members").get(0).get("http").asText().split(":")[1]));

        GatewayClient.Answer page = http.get("/");
        assertEquals(200, page.status());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.text().contains("LEADER") && page.text().contains("m1"), page.text());
    }

    private static double value(Map<String, PrometheusTextParser.Family> families, String sample) {
        for (PrometheusTextParser.Family family : families.values()) {
            List<PrometheusTextParser.Sample> found = family.find(sample);
            if (!found.isEmpty()) {
                return found.get(0).value();
            }
        }
        throw new AssertionError("no sample " + sample);
    }

    static void expectError(GatewayClient.Answer answer, int status, String code) {
        assertEquals(status, answer.status(), answer.text());
        assertEquals(code, answer.code(), answer.text());
        assertTrue(answer.json().path("error").path("message").isTextual(), answer.text());
        assertTrue(answer.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    }
}

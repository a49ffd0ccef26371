package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.coordinator.server.http.GatewayClient.utf8;
import static io.coordinator.server.http.HttpGatewayTest.expectError;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /v1/election/...}: campaign waits to lead, proclaim and resign act only for the leader's key
 * and token, the leader read, and the observer stream that sees every leader and value.
 */
class HttpElectionTest extends OneMemberGatewayTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void anObserverSeesEachLeaderAndValueAsCampaignProclaimAndResignGoBy() throws Exception {
        GatewayClient.Session a = http.openSession(10_000);
        GatewayClient.Session b = http.openSession(10_000);
        HttpResponse<Stream<String>> observed = observe(cluster.member(0).httpAddress(), "/elections/e1");
        assertEquals(200, observed.statusCode());
        assertEquals(WatchStream.NDJSON, observed.headers().firstValue("Content-Type").orElseThrow());
        try (Stream<String> lines = observed.body()) {
            Iterator<String> it = lines.iterator();
            JsonNode none = next(it);
            assertEquals("/elections/e1", none.get("name").asText());
            assertTrue(none.get("leader").isNull(), none.toString());
            expectError(http.get("/v1/election/elections/e1"), 404, "NO_NODE");

            JsonNode termA = leads(http.send("POST", "/v1/election/elections/e1", utf8("a:8080"), a.headers()), "a:8080");
            expectLeader(next(it), termA, "a:8080");
            JsonNode current = http.get("/v1/election/elections/e1").json();
            assertEquals(termA.get("key").asText(), current.get("key").asText());
            assertEquals(termA.get("token").asLong(), current.get("token").asLong());
            assertEquals("a:8080", current.get("utf8").asText());

            CompletableFuture<GatewayClient.Answer> campaignB = http.sendAsync("POST",
                    "/v1/election/elections/e1?wait-ms=15000", utf8("b:8080"), b.headers());
            await().atMost(WAIT).until(() -> http.get("/v1/children/elections/e1").json().get("children").size() == 2);
            assertFalse(campaignB.isDone(), "one leader at a time");

            GatewayClient.Answer proclaimed = http.send("PUT", "/v1/election" + termA.get("key").asText() + "?token="
                    + termA.get("token").asLong(), utf8("a:9090"), NONE);
            assertEquals(200, proclaimed.status(), proclaimed.text());
            JsonNode valueChanged = next(it);
            expectLeader(valueChanged, termA, "a:9090");
            assertEquals(proclaimed.revision(), valueChanged.get("revision").asLong());
            expectError(http.send("PUT", "/v1/election" + termA.get("key").asText() + "?token="
                    + (termA.get("token").asLong() + 1), utf8("forged"), NONE), 409, "BAD_VERSION");

            resign(termA);
            JsonNode termB = leads(campaignB.get(WAIT.toSeconds(), TimeUnit.SECONDS), "b:8080");
            assertTrue(termB.get("token").asLong() > termA.get("token").asLong());
            expectLeader(next(it), termB, "b:8080");
            // A's term is over: it can no longer speak for the election, and nothing changes.
            expectError(http.send("PUT", "/v1/election" + termA.get("key").asText() + "?token="
                    + termA.get("token").asLong(), utf8("a:stale"), NONE), 404, "NO_NODE");
            expectError(http.send("DELETE", "/v1/election" + termA.get("key").asText() + "?token="
                    + termA.get("token").asLong(), null, NONE), 404, "NO_NODE");
            assertEquals("b:8080", http.get("/v1/election/elections/e1").json().get("utf8").asText());

            resign(termB);
            assertTrue(next(it).get("leader").isNull());
            expectError(http.get("/v1/election/elections/e1"), 404, "NO_NODE");
        }
        http.closeSession(a);
        http.closeSession(b);
    }

    @Test
    void whenTheLeadersSessionExpiresTheNextCandidateLeadsWithALargerToken() throws Exception {
        GatewayClient.Session shortLived = http.openSession(2_000);
        GatewayClient.Session next = http.openSession(10_000);
        JsonNode first = leads(http.send("POST", "/v1/election/elections/expiry", utf8("first"), shortLived.headers()), "first");
        CompletableFuture<GatewayClient.Answer> campaign = http.sendAsync("POST",
                "/v1/election/elections/expiry?wait-ms=15000", utf8("next"), next.headers());
        // No keep-alives for the first session: it expires within its TTL plus a tick.
        JsonNode second = leads(campaign.get(WAIT.toSeconds(), TimeUnit.SECONDS), "next");
        assertTrue(second.get("token").asLong() > first.get("token").asLong());
        assertEquals(second.get("key").asText(), http.get("/v1/election/elections/expiry").json().get("key").asText());
        expectError(http.send("PUT", "/v1/election" + first.get("key").asText() + "?token=" + first.get("token").asLong(),
                utf8("late"), NONE), 404, "NO_NODE");
        http.closeSession(next);
    }

    @Test
    void aWaitingCandidateCannotProclaimOrResign() throws Exception {
        GatewayClient.Session a = http.openSession(10_000);
        GatewayClient.Session b = http.openSession(10_000);
        JsonNode term = leads(http.send("POST", "/v1/election/elections/strict", utf8("a"), a.headers()), "a");
        CompletableFuture<GatewayClient.Answer> waiting = http.sendAsync("POST",
                "/v1/election/elections/strict?wait-ms=15000", utf8("b"), b.headers());
        await().atMost(WAIT).until(() -> http.get("/v1/children/elections/strict").json().get("children").size() == 2);
        JsonNode listed = http.get("/v1/children/elections/strict?stats=true").json();
        String leaderName = term.get("key").asText().substring("/elections/strict/".length());
        int w = listed.get("children").get(0).asText().equals(leaderName) ? 1 : 0;
        String waitingKey = "/elections/strict/" + listed.get("children").get(w).asText();
        long waitingToken = listed.get("stats").get(w).get("createRevision").asLong();

        expectError(http.send("PUT", "/v1/election" + waitingKey + "?token=" + waitingToken, utf8("usurper"), NONE),
                409, "NOT_HOLDER");
        expectError(http.send("DELETE", "/v1/election" + waitingKey + "?token=" + waitingToken, null, NONE),
                409, "NOT_HOLDER");
        assertEquals("b", http.get("/v1/nodes" + waitingKey).json().get("utf8").asText(), "nothing changed");
        assertEquals("a", http.get("/v1/election/elections/strict").json().get("utf8").asText());

        http.closeSession(a);
        leads(waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS), "b");
        http.closeSession(b);
    }

    @Test
    void badInputIsRefusedWithATypedErrorAndCreatesNothing() throws Exception {
        GatewayClient.Session session = http.openSession(10_000);
        String huge = "/huge-election/" + "x".repeat(5_000);
        expectError(http.send("POST", "/v1/election" + huge, utf8("v"), session.headers()), 413, "TOO_LARGE");
        expectError(http.get("/v1/election" + huge), 413, "TOO_LARGE");
        assertFalse(http.get("/v1/exists/huge-election").json().get("exists").asBoolean());
        expectError(http.send("POST", "/v1/election/elections/bad", utf8("v"), NONE), 400, "BAD_ARGUMENTS");
        expectError(http.get("/v1/election/elections/bad?observe=maybe"), 400, "BAD_ARGUMENTS");
        expectError(http.get("/v1/election/elections/bad?observe=true&consistency=serializable"), 400, "BAD_ARGUMENTS");
        expectError(http.get("/v1/election/elections/bad?leader=1"), 400, "BAD_ARGUMENTS");
        expectError(http.send("PUT", "/v1/election/elections/bad?token=3", utf8("v"), NONE), 400, "BAD_ARGUMENTS");
        expectError(http.send("PUT", "/v1/election/elections/bad/candidate-00000000000000aa-0000000000000000001",
                utf8("v"), NONE), 400, "BAD_ARGUMENTS");
        expectError(http.send("DELETE", "/v1/election/elections/bad/candidate-00000000000000aa-0000000000000000001?token=3",
                null, NONE), 404, "NO_NODE");
        assertFalse(http.get("/v1/exists/elections/bad").json().get("exists").asBoolean());
        http.closeSession(session);
    }

    private static HttpResponse<Stream<String>> observe(InetSocketAddress member, String name) throws Exception {
        URI uri = URI.create("http://" + member.getHostString() + ":" + member.getPort() + "/v1/election" + name + "?observe=true");
        return STREAMS.send(HttpRequest.newBuilder(uri).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofLines());
    }

    private static JsonNode next(Iterator<String> lines) {
        return assertTimeoutPreemptively(WAIT, () -> {
            assertTrue(lines.hasNext(), "the observer's stream ended");
            String line = lines.next();
            try {
                JsonNode node = JSON.readTree(line);
                assertFalse(node.has("error"), line);
                return node;
            } catch (IOException e) {
                throw new UncheckedIOException(line, e);
            }
        });
    }

    private static JsonNode leads(GatewayClient.Answer answer, String value) throws IOException, InterruptedException {
        assertEquals(200, answer.status(), answer.text());
        JsonNode term = answer.json();
        assertTrue(term.get("key").asText().startsWith(term.get("name").asText() + "/candidate-"), answer.text());
        assertEquals(value, term.get("utf8").asText());
        assertEquals(term.get("token").asLong(), http.get("/v1/nodes" + term.get("key").asText()).json().get("stat")
                .get("createRevision").asLong());
        return term;
    }

    private static void expectLeader(JsonNode line, JsonNode term, String value) {
        JsonNode leader = line.get("leader");
        assertEquals(term.get("key").asText(), leader.get("key").asText(), line.toString());
        assertEquals(term.get("token").asLong(), leader.get("token").asLong(), line.toString());
        assertEquals(value, leader.get("utf8").asText(), line.toString());
    }

    private static void resign(JsonNode term) throws IOException, InterruptedException {
        GatewayClient.Answer resigned = http.send("DELETE", "/v1/election" + term.get("key").asText() + "?token="
                + term.get("token").asLong(), null, NONE);
        assertEquals(200, resigned.status(), resigned.text());
        assertTrue(resigned.json().get("resigned").asBoolean());
    }
}

package io.coordinator.server.member;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.MemberStatus;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.support.InProcessCluster;
import io.coordinator.server.support.RawConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Only the leader's duties propose LeaderChanged and Tick": a client that names one, on the binary
 * port or on the HTTP gateway, of a follower or of the leader, gets a typed refusal, and nothing
 * reaches the log. (The fault test that found this sent LeaderChanged(999999) to a follower: it was
 * committed, and from then on the leader's own ticks were ignored, so no session expired.)
 *
 * <p>Three members whose duties never run during the test (a tick interval of an hour, so not even
 * the first LeaderChanged is proposed): each member's applied index and revision move only when a
 * client's request is committed.
 */
class InternalCommandsTest {
    private static final ObjectMapper JSON = Codec.json().mapper();
    /** Every member-internal command, as a client would have to spell it: the wire names they had. */
    private static final List<String> INTERNAL_COMMANDS = List.of(
            "{\"@type\":\"leaderChanged\",\"term\":999999}",
            "{\"@type\":\"tick\",\"term\":999999}");
    private static final ServerConfig.SessionSettings QUIET_DUTIES = new ServerConfig.SessionSettings(
            ServerConfig.SessionSettings.DEFAULTS.ttlMillisMin(), ServerConfig.SessionSettings.DEFAULTS.ttlMillisMax(),
            3_600_000, ServerConfig.SessionSettings.DEFAULTS.dedupWindow());
    private static InProcessCluster cluster;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = InProcessCluster.start(3, InProcessCluster.sessions(QUIET_DUTIES));
        for (int i = 0; i < cluster.size(); i++) {
            int member = i;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                try (RawConnection connection = new RawConnection(cluster.clientAddress(member))) {
                    return connection.execute(new Op.Exists("/")).response() instanceof Response.ExistsResult;
                }
            });
        }
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyInternalCommandSentOverTheBinaryPortIsMalformedAndNothingReachesTheLog() throws Exception {
        for (int member = 0; member < cluster.size(); member++) {
            List<MemberStatus> before = statuses();
            String target = cluster.member(member).id();
            try (RawConnection connection = new RawConnection(cluster.clientAddress(member))) {
                long id = 100;
                for (String command : INTERNAL_COMMANDS) {
                    for (byte[] payload : List.of(call(command, 0, 0), call(command, 0, 0, "SERIALIZABLE"))) {
                        connection.sendFrame(Frame.Kind.REQUEST, ++id, payload);
                        Frame frame = connection.readFrame();
                        assertEquals(id, frame.requestId());
                        ServerMessage answer = Codec.smile().decodeServer(frame.payload());
                        ServerMessage.ProtocolError error = assertInstanceOf(ServerMessage.ProtocolError.class, answer,
                                () -> command + " sent to member " + target + " was answered " + answer);
                        assertEquals(ErrorCode.MALFORMED, error.code(), error.message());
                        assertTrue(error.message().contains("internal"), error.message());
                    }
                }
                // The connection goes on serving.
                assertInstanceOf(Response.ExistsResult.class, connection.execute(new Op.Exists("/")).response());
            }
            assertNothingReachedTheLog(before);
        }
    }

    @Test
    void everyInternalCommandSentToTheHttpGatewayIsMalformedAndNothingReachesTheLog() throws Exception {
        for (int member = 0; member < cluster.size(); member++) {
            List<MemberStatus> before = statuses();
            InetSocketAddress gateway = cluster.member(member).httpAddress();
            for (String command : INTERNAL_COMMANDS) {
                String inATxn = "{\"compares\":[],\"then\":[" + command + "],\"otherwise\":[]}";
                for (String body : List.of(command, inATxn)) {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                                    URI.create("http://" + gateway.getHostString() + ":" + gateway.getPort() + "/v1/txn"))
                            .timeout(Duration.ofSeconds(20))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(400, answer.statusCode(), body + " -> " + answer.body());
                    JsonNode error = JSON.readTree(answer.body()).path("error");
                    assertEquals("MALFORMED", error.path("code").asText(), answer.body());
                }
            }
            assertNothingReachedTheLog(before);
        }
    }

    /** Applied index and revision of every member: with the duties quiet, only a committed request moves them. */
    private static void assertNothingReachedTheLog(List<MemberStatus> before) throws IOException {
        List<MemberStatus> after = statuses();
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).lastApplied(), after.get(i).lastApplied(), "applied index of " + before.get(i).memberId());
            assertEquals(before.get(i).revision(), after.get(i).revision(), "revision of " + before.get(i).memberId());
        }
    }

    private static List<MemberStatus> statuses() throws IOException {
        List<MemberStatus> statuses = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            try (RawConnection connection = new RawConnection(cluster.clientAddress(i))) {
                statuses.add(((ServerMessage.StatusReply) connection.send(new ClientMessage.StatusQuery())).self());
            }
        }
        return statuses;
    }

    /** A Call carrying {@code command}, spelt by hand: the client types cannot even hold an internal command. */
    static byte[] call(String command, long sessionId, long sequence) throws IOException {
        return call(command, sessionId, sequence, "LINEARIZABLE");
    }

    static byte[] call(String command, long sessionId, long sequence, String consistency) throws IOException {
        String json = "{\"@type\":\"call\",\"request\":{\"sessionId\":" + sessionId + ",\"sequence\":" + sequence
                + ",\"command\":" + command + "},\"consistency\":\"" + consistency + "\",\"minRevision\":0}";
        return Codec.smile().mapper().writeValueAsBytes(JSON.readTree(json.getBytes(StandardCharsets.UTF_8)));
    }
}

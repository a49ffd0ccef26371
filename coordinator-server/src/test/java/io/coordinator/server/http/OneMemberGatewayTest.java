package io.coordinator.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coordinator.server.support.InProcessCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * One real member in this JVM per test class, ready before the first test, and a client of its HTTP
 * gateway; {@link #STREAMS} is for the NDJSON streams (watches, election observers), which
 * {@link GatewayClient} does not read.
 */
abstract class OneMemberGatewayTest {
    static final Map<String, String> NONE = Map.of();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient STREAMS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static InProcessCluster cluster;
    static GatewayClient http;

    @BeforeAll
    static void startMember() throws Exception {
        cluster = InProcessCluster.start(1);
        http = new GatewayClient(cluster.member(0).httpAddress());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> http.get("/ready").status() == 200);
    }

    @AfterAll
    static void stopMember() throws IOException {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}

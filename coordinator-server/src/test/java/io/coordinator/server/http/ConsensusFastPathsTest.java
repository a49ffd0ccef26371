package io.coordinator.server.http;

import io.coordinator.server.member.Member;
import io.coordinator.server.metrics.MemberMetrics;
import io.coordinator.server.support.InProcessCluster;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.coordinator.server.http.GatewayClient.utf8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Every fast path of the consensus adapter is active on a running member, and /metrics says so."
 * A fast path reaches into Atomix internals to avoid a slow part of the library and falls back to
 * the slow way when those internals change; this is the test that turns such a fallback, after a
 * library change, from a silent slowdown into a failure. The paths are used before they are
 * checked: a write through the leader (commit announcer) and a compaction (compactor), which must
 * finish well inside Atomix's own delayed compaction (14-23 s).
 */
class ConsensusFastPathsTest {
    private static final String FAMILY = "coordinator_fast_path_active";
    private static final List<String> EXPECTED_PATHS = List.of("commit_announcer", "compactor");
    private static final long COMPACTION_SECONDS_MAX = 10;

    @Test
    void everyFastPathIsActiveOnARunningMemberThroughTheJavaApiAndMetrics() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            List<GatewayClient> http = List.of(new GatewayClient(cluster.member(0).httpAddress()),
                    new GatewayClient(cluster.member(1).httpAddress()), new GatewayClient(cluster.member(2).httpAddress()));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> allReady(http));
            Member leader = await().atMost(Duration.ofSeconds(10)).until(() -> cluster.members().stream()
                    .filter(member -> member.replicatedLog().status().isLeader()).findFirst().orElse(null),
                    found -> found != null);
            GatewayClient.Answer created = new GatewayClient(leader.httpAddress())
                    .send("POST", "/v1/nodes/fast", utf8("path"), Map.of());
            assertEquals(201, created.status(), created.text());
            leader.replicatedLog().compact().get(COMPACTION_SECONDS_MAX, TimeUnit.SECONDS);

            for (int i = 0; i < cluster.size(); i++) {
                Member member = cluster.member(i);
                Map<String, Boolean> paths = member.replicatedLog().fastPaths();
                assertEquals(EXPECTED_PATHS, List.copyOf(paths.keySet()), member.id());
                paths.forEach((path, active) -> assertTrue(active, member.id() + ": fast path " + path + " is not active"));
                assertEquals(allOnes(), scraped(http.get(i)), member.id() + " /metrics");
            }
        }
    }

    @Test
    void aFastPathThatFellBackScrapesAsZero() {
        MemberMetrics metrics = new MemberMetrics();
        Map<String, Boolean> paths = new LinkedHashMap<>(Map.of("commit_announcer", true, "compactor", true));
        metrics.fastPathsGauge(() -> Map.copyOf(paths));
        paths.put("compactor", false);
        Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(metrics.scrape());
        assertEquals("gauge", families.get(FAMILY).type);
        assertFalse(families.get(FAMILY).help.isEmpty());
        assertEquals(Map.of("commit_announcer", 1.0, "compactor", 0.0), values(families.get(FAMILY)));
    }

    private static Map<String, Double> allOnes() {
        Map<String, Double> ones = new TreeMap<>();
        EXPECTED_PATHS.forEach(path -> ones.put(path, 1.0));
        return ones;
    }

    private static Map<String, Double> scraped(GatewayClient client) throws IOException, InterruptedException {
        GatewayClient.Answer answer = client.get("/metrics");
        assertEquals(200, answer.status(), answer.text());
        PrometheusTextParser.Family family = PrometheusTextParser.parse(answer.text()).get(FAMILY);
        assertTrue(family != null && "gauge".equals(family.type), answer.text());
        return values(family);
    }

    private static Map<String, Double> values(PrometheusTextParser.Family family) {
        Map<String, Double> values = new TreeMap<>();
        for (PrometheusTextParser.Sample sample : family.find(FAMILY)) {
            values.put(sample.labels().get("path"), sample.value());
        }
        return values;
    }

    private static boolean allReady(List<GatewayClient> http) throws IOException, InterruptedException {
        for (GatewayClient client : http) {
            if (client.get("/ready").status() != 200) {
                return false;
            }
        }
        return true;
    }
}

package io.coordinator.jepsen.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's pure parts: ratios, the tables and the JSON. */
class ReportTest {
    private static LatencyRecorder.Summary summary(double throughput, double p50, double p99) {
        return new LatencyRecorder.Summary((long) throughput, throughput, p50, p99, p99 * 2, p99 * 3, 0);
    }

    private static final Report.SystemRuns COORDINATOR = new Report.SystemRuns("coordinator", Report.Status.MEASURED,
            "3 members", List.of(
            new Report.Run(Op.WRITE, 1, summary(100, 10, 20), 0),
            new Report.Run(Op.READ, 64, summary(4000, 5, 50), 0)));
    private static final Report.SystemRuns ZOOKEEPER = new Report.SystemRuns("zookeeper", Report.Status.MEASURED,
            "3 QuorumPeerMain", List.of(
            new Report.Run(Op.WRITE, 1, summary(400, 2, 40), 0),
            new Report.Run(Op.READ, 64, summary(0, 0, 0), 3)));
    private static final Report.SystemRuns ETCD = Report.SystemRuns.skipped("etcd", "install etcd-server");

    @Test
    void ratiosAreCoordinatorOverPeerForEachOpAndConcurrencyBothMeasured() {
        List<Report.Comparison> comparisons = Report.compare(COORDINATOR, List.of(COORDINATOR, ZOOKEEPER, ETCD));

        assertEquals(2, comparisons.size(), "no comparison with itself, none with a skipped system");
        Report.Comparison write = comparisons.get(0);
        assertEquals("zookeeper", write.peer());
        assertEquals(Op.WRITE, write.op());
        assertEquals(0.25, write.throughputRatio(), 1e-9, "a quarter of the peer's throughput");
        assertEquals(5.0, write.p50Ratio(), 1e-9, "five times the peer's median");
        assertEquals(0.5, write.p99Ratio(), 1e-9);
        assertTrue(Double.isNaN(comparisons.get(1).throughputRatio()), "a peer's zero is no denominator");
    }

    @Test
    void theComparisonTableHasThreeRatioColumnsPerPeerAndADashWhereThereIsNoRatio() {
        Report.Table table = Report.comparisonTable(COORDINATOR, Report.compare(COORDINATOR, List.of(ZOOKEEPER)));

        assertEquals(List.of(List.of("write", "1", "0.25x", "5.00x", "0.50x"), List.of("read", "64", "-", "-", "-")),
                table.rows());
        assertEquals("""
                op     conc  zookeeper ops/s  zookeeper p50  zookeeper p99
                write     1            0.25x          5.00x          0.50x
                read     64                -              -              -
                """, table.text());
    }

    @Test
    void theRunTableKeepsTheSlowRequestCountAndShowsFailures() {
        assertEquals("""
                | op | conc | ops/s | p50 ms | p99 ms | p99.9 ms | max ms | >1s | failed |
                |---|---|---|---|---|---|---|---|---|
                | write | 1 | 400 | 2.00 | 40.00 | 80.00 | 120.00 | 0 | 0 |
                | read | 64 | 0 | 0.00 | 0.00 | 0.00 | 0.00 | 0 | 3 |
                """, Report.runTable(ZOOKEEPER).markdown());
    }

    @Test
    void theJsonHoldsSettingsEverySystemAndTheComparisonsWithNullForNoRatio() throws Exception {
        Report.Settings settings = new Report.Settings("coordinator bench --json \"x\"", "2026-01-01T00:00:00Z", 2, 0.5, 1.25, 5, 2,
                List.of(1, 64), 100, 1000, "leader");
        List<Report.SystemRuns> systems = List.of(COORDINATOR, ZOOKEEPER, ETCD);

        JsonNode json = new ObjectMapper().readTree(
                Report.json(settings, systems, Report.compare(COORDINATOR, systems)));

        assertEquals("coordinator bench --json \"x\"", json.get("command").asText());
        assertEquals(List.of(1, 64), List.of(json.get("concurrency").get(0).asInt(), json.get("concurrency").get(1).asInt()));
        assertEquals(1.25, json.get("loadAverageAtEnd").asDouble(), 1e-9);
        assertEquals(3, json.get("systems").size());
        assertEquals("skipped", json.get("systems").get(2).get("status").asText());
        JsonNode write = json.get("systems").get(1).get("runs").get(0);
        assertEquals("write", write.get("op").asText());
        assertEquals(400.0, write.get("opsPerSecond").asDouble(), 1e-9);
        assertEquals(3, json.get("systems").get(1).get("runs").get(1).get("failures").asLong());
        assertEquals(0.25, json.get("comparison").get(0).get("throughputRatio").asDouble(), 1e-9);
        assertTrue(json.get("comparison").get(1).get("throughputRatio").isNull());
    }
}

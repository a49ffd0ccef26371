package io.coordinator.server.http;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Op;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.server.metrics.MemberMetrics;
import io.coordinator.server.metrics.MetricName;
import io.coordinator.server.metrics.RequestObserver;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics exposition is valid Prometheus text, whatever the registry holds. */
class PrometheusTextTest {

    @Test
    void everyKindOfMetricIsWrittenAsValidTextWithItsTypeAndHelp() {
        MemberMetrics metrics = new MemberMetrics();
        metrics.requestCompleted(new Command.Execute(new Op.Get("/a")), Consistency.SERIALIZABLE, 2_000_000);
        metrics.requestCompleted(new Command.Execute(new Op.Get("/a")), Consistency.SERIALIZABLE, 4_000_000);
        metrics.requestCompleted(new Command.Execute(new Op.Create("/a", new byte[0], io.coordinator.core.api.CreateMode.PERSISTENT, 0)),
                Consistency.LINEARIZABLE, 1_000_000);
        metrics.batchCompleted(RequestObserver.BatchKind.WRITE, batchHeader(7), 3_000_000, false);
        metrics.batchCompleted(RequestObserver.BatchKind.READ, batchHeader(2), 3_000_000, true);
        metrics.gauge("test_gauge_ratio", "a help text with a \\ backslash\nand a newline", () -> 0.25);
        metrics.counter(MetricName.of("test_events_total", "path", "/a \"quoted\"\nnew\\line")).inc(3);
        metrics.watchesGauge(() -> 5);

        Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(metrics.scrape());

        PrometheusTextParser.Family requests = families.get("coordinator_request_seconds");
        assertEquals("summary", requests.type);
        List<PrometheusTextParser.Sample> count = requests.find("coordinator_request_seconds_count",
                "op", "get", "consistency", "serializable");
        assertEquals(2.0, count.get(0).value());
        double sum = requests.find("coordinator_request_seconds_sum", "op", "get").get(0).value();
        assertEquals(0.006, sum, 1e-9);
        assertEquals(4, requests.find("coordinator_request_seconds", "op", "create").size(), "four quantiles");

        assertEquals(7.0, families.get("coordinator_batch_requests")
                .find("coordinator_batch_requests_sum", "kind", "write").get(0).value());
        assertEquals(1.0, families.get("coordinator_commit_seconds").find("coordinator_commit_seconds_count").get(0).value());
        assertEquals(0.0, families.get("coordinator_read_index_seconds").find("coordinator_read_index_seconds_count").get(0).value());
        assertEquals(1.0, families.get("coordinator_batch_failures_total")
                .find("coordinator_batch_failures_total", "kind", "read").get(0).value());

        PrometheusTextParser.Family gauge = families.get("test_gauge_ratio");
        assertEquals("gauge", gauge.type);
        assertEquals("a help text with a \\ backslash\nand a newline", gauge.help);
        assertEquals(0.25, gauge.samples.get(0).value());
        PrometheusTextParser.Family counter = families.get("test_events_total");
        assertEquals("counter", counter.type);
        assertEquals("/a \"quoted\"\nnew\\line", counter.samples.get(0).labels().get("path"));
        assertEquals(5.0, families.get("coordinator_watches").samples.get(0).value());
        assertEquals("gauge", families.get("jvm_memory_used_bytes").type);
        assertFalse(families.get("jvm_gc_collections_total").samples.isEmpty());
    }

    @Test
    void badNamesAreRefusedWhenRegisteredNotWhenScraped() {
        MemberMetrics metrics = new MemberMetrics();
        assertThrows(IllegalArgumentException.class, () -> metrics.gauge("bad-name", "x", () -> 1));
        assertThrows(IllegalArgumentException.class, () -> MetricName.of("ok_name", "bad-label", "v"));
        assertThrows(IllegalArgumentException.class, () -> MetricName.of("ok_name", "odd"));
    }

    @Test
    void theParserIsStrict() {
        String ok = "# HELP a_total things\n# TYPE a_total counter\na_total{x=\"1\"} 1\n";
        assertTrue(PrometheusTextParser.parse(ok).containsKey("a_total"));
        for (String bad : new String[]{
                "a_total 1",                                                  // no final newline
                "a-b 1\n",                                                    // bad name
                "a{x=\"1} 1\n",                                               // unterminated label
                "a{x=\"\\t\"} 1\n",                                           // bad escape
                "a one\n",                                                    // not a float
                "a 1\nb 1\na 2\n",                                            // family split in two
                "a 1\n# TYPE a gauge\n",                                      // TYPE after samples
                "# TYPE s summary\ns 1\n",                                    // summary sample without quantile
                "a{x=\"1\"} 1\na{x=\"1\"} 2\n",                               // duplicate series
                "# TYPE c counter\nc -1\n",                                   // negative counter
        }) {
            assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse(bad), bad);
        }
    }

    private static byte[] batchHeader(int count) {
        return ByteBuffer.allocate(6).put((byte) 'B').put((byte) 1).putInt(count).array();
    }
}

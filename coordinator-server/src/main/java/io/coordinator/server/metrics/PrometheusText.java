package io.coordinator.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a Dropwizard registry in the Prometheus text exposition format, version 0.0.4: per family
 * an optional {@code # HELP}, one {@code # TYPE}, then all its samples together. Gauges become
 * gauges; counters, meters and {@link MonotonicValue}s counters; timers summaries in seconds;
 * histograms summaries of their raw values. Registry names carry the labels (see {@link MetricName}).
 *
 * <p>Written by hand rather than through the Prometheus simpleclient bridge: the format is a few
 * lines of text, the bridge would add two dependencies (and a second metric model) to every member,
 * and it exposes Dropwizard names mangled instead of the labelled families we want.
 */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};
    private static final double NANOS_PER_SECOND = 1e9;

    private PrometheusText() {
    }

    static String write(MetricRegistry registry, Map<String, String> help) {
        Map<String, List<Map.Entry<String, Metric>>> families = new TreeMap<>();
        for (Map.Entry<String, Metric> entry : registry.getMetrics().entrySet()) {
            families.computeIfAbsent(MetricName.family(entry.getKey()), family -> new ArrayList<>()).add(entry);
        }
        StringBuilder out = new StringBuilder(8192);
        families.forEach((family, series) -> writeFamily(out, family, help.get(family), series));
        return out.toString();
    }

    private static void writeFamily(StringBuilder out, String family, String help,
                                    List<Map.Entry<String, Metric>> series) {
        String type = type(series.get(0).getValue());
        if (type == null) {
            return;
        }
        if (help != null) {
            out.append("# HELP ").append(family).append(' ').append(escapeHelp(help)).append('\n');
        }
        out.append("# TYPE ").append(family).append(' ').append(type).append('\n');
        for (Map.Entry<String, Metric> entry : series) {
            Metric metric = entry.getValue();
            // One family, one type: a series registered under the same family with another kind is skipped.
            if (type.equals(type(metric))) {
                writeSeries(out, family, MetricName.labels(entry.getKey()), metric);
            }
        }
    }

    private static String type(Metric metric) {
        if (metric instanceof Gauge) {
            return "gauge";
        }
        if (metric instanceof Counter || metric instanceof Meter || metric instanceof MonotonicValue) {
            return "counter";
        }
        if (metric instanceof Timer || metric instanceof Histogram) {
            return "summary";
        }
        return null;
    }

    private static void writeSeries(StringBuilder out, String family, String labels, Metric metric) {
        if (metric instanceof Gauge<?> gauge) {
            Double value = gaugeValue(gauge);
            if (value != null) {
                sample(out, family, labels, value);
            }
        } else if (metric instanceof Counter counter) {
            sample(out, family, labels, counter.getCount());
        } else if (metric instanceof Meter meter) {
            sample(out, family, labels, meter.getCount());
        } else if (metric instanceof MonotonicValue value) {
            sample(out, family, labels, value.value());
        } else if (metric instanceof Timer timer) {
            Double sum = timer instanceof SummingTimer summing ? summing.sumNanos() / NANOS_PER_SECOND : null;
            summary(out, family, labels, timer.getSnapshot(), NANOS_PER_SECOND, sum, timer.getCount());
        } else if (metric instanceof Histogram histogram) {
            Double sum = histogram instanceof SummingHistogram summing ? (double) summing.sum() : null;
            summary(out, family, labels, histogram.getSnapshot(), 1, sum, histogram.getCount());
        }
    }

    private static Double gaugeValue(Gauge<?> gauge) {
        Object value;
        try {
            value = gauge.getValue();
        } catch (RuntimeException e) {
            return null; // a part that is shutting down: leave the series out of this scrape
        }
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        if (value instanceof Boolean bool) {
            return bool ? 1.0 : 0.0;
        }
        return null;
    }

    private static void summary(StringBuilder out, String family, String labels, Snapshot snapshot, double divisor,
                                Double sum, long count) {
        for (double quantile : QUANTILES) {
            String withQuantile = (labels.isEmpty() ? "" : labels + ",") + "quantile=\"" + quantile + "\"";
            double value = count == 0 ? Double.NaN : snapshot.getValue(quantile) / divisor;
            sample(out, family, withQuantile, value);
        }
        if (sum != null) {
            sample(out, family + "_sum", labels, sum);
        }
        sample(out, family + "_count", labels, count);
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }
}

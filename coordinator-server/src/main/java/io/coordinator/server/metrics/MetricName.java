package io.coordinator.server.metrics;

import java.util.regex.Pattern;

/**
 * How a Prometheus series is named inside the Dropwizard registry: the family name, then its labels
 * exactly as they appear in the text format ({@code coordinator_request_seconds{op="get"}}). Dropwizard
 * allows any string as a name, so the registry stays the one source of truth and the exposition
 * only has to split the name again. Names are checked here, when a metric is registered, so that a
 * bad name fails at start-up rather than producing an unparseable scrape.
 */
public final class MetricName {
    private static final Pattern FAMILY = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private MetricName() {
    }

    /**
     * @param labels alternating label names and values
     * @throws IllegalArgumentException for a name or label name the text format does not allow
     */
    public static String of(String family, String... labels) {
        requireFamily(family);
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs: " + String.join(",", labels));
        }
        if (labels.length == 0) {
            return family;
        }
        StringBuilder name = new StringBuilder(family).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (!LABEL.matcher(labels[i]).matches() || labels[i].startsWith("__")) {
                throw new IllegalArgumentException("not a label name: " + labels[i]);
            }
            if (i > 0) {
                name.append(',');
            }
            name.append(labels[i]).append("=\"").append(escapeLabelValue(labels[i + 1])).append('"');
        }
        return name.append('}').toString();
    }

    public static void requireFamily(String family) {
        if (family == null || !FAMILY.matcher(family).matches()) {
            throw new IllegalArgumentException("not a Prometheus metric name: " + family);
        }
    }

    /** The family part of a registry name. */
    static String family(String registryName) {
        int brace = registryName.indexOf('{');
        return brace < 0 ? registryName : registryName.substring(0, brace);
    }

    /** The label pairs of a registry name without braces ({@code op="get"}), or "" when it has none. */
    static String labels(String registryName) {
        int brace = registryName.indexOf('{');
        return brace < 0 ? "" : registryName.substring(brace + 1, registryName.length() - 1);
    }

    static String escapeLabelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

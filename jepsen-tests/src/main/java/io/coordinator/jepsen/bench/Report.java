package io.coordinator.jepsen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The results of one bench invocation as data, and their renderings: a table per system, a table
 * of Coordinator/peer ratios, and JSON. Pure: no clocks, no I/O.
 */
final class Report {
    private Report() {
    }

    /** One measured run of one op at one concurrency. */
    record Run(Op op, int concurrency, LatencyRecorder.Summary summary, long failures) {
    }

    enum Status { MEASURED, SKIPPED, FAILED }

    /** One system's part: measured (with runs), skipped (with the reason) or failed (with the error). */
    record SystemRuns(String system, Status status, String detail, List<Run> runs) {
        SystemRuns {
            runs = List.copyOf(runs);
        }

        static SystemRuns skipped(String system, String reason) {
            return new SystemRuns(system, Status.SKIPPED, reason, List.of());
        }

        static SystemRuns failed(String system, String error, List<Run> runsSoFar) {
            return new SystemRuns(system, Status.FAILED, error, runsSoFar);
        }

        Optional<Run> run(Op op, int concurrency) {
            return runs.stream().filter(r -> r.op() == op && r.concurrency() == concurrency).findFirst();
        }
    }

    /**
     * Coordinator's number divided by the peer's for one op and concurrency: a throughput ratio
     * above 1, or a latency ratio below 1, favours Coordinator. NaN where the peer's number is 0.
     */
    record Comparison(String peer, Op op, int concurrency, double throughputRatio, double p50Ratio, double p99Ratio) {
    }

    /** What was asked for, for the JSON. */
    record Settings(String command, String date, int cores, double loadAverageAtStart, double loadAverageAtEnd,
                    int seconds, int warmupSeconds, List<Integer> concurrency, int valueBytes, int keys, String connect) {
    }

    static List<Comparison> compare(SystemRuns base, List<SystemRuns> peers) {
        List<Comparison> comparisons = new ArrayList<>();
        for (SystemRuns peer : peers) {
            if (peer.system().equals(base.system())) {
                continue;
            }
            for (Run ours : base.runs()) {
                peer.run(ours.op(), ours.concurrency()).ifPresent(theirs -> comparisons.add(new Comparison(
                        peer.system(), ours.op(), ours.concurrency(),
                        ratio(ours.summary().throughput(), theirs.summary().throughput()),
                        ratio(ours.summary().p50(), theirs.summary().p50()),
                        ratio(ours.summary().p99(), theirs.summary().p99()))));
            }
        }
        return comparisons;
    }

    static double ratio(double ours, double theirs) {
        return theirs == 0 ? Double.NaN : ours / theirs;
    }

    static Table runTable(SystemRuns system) {
        Table table = new Table(List.of("op", "conc", "ops/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", ">1s", "failed"));
        for (Run run : system.runs()) {
            LatencyRecorder.Summary s = run.summary();
            table.add(List.of(run.op().label, Integer.toString(run.concurrency()), fixed(s.throughput(), 0),
                    fixed(s.p50(), 2), fixed(s.p99(), 2), fixed(s.p999(), 2), fixed(s.max(), 2),
                    Long.toString(s.overOneSecond()), Long.toString(run.failures())));
        }
        return table;
    }

    /** One row per (op, concurrency) of the base system, three ratio columns per peer. */
    static Table comparisonTable(SystemRuns base, List<Comparison> comparisons) {
        List<String> peers = comparisons.stream().map(Comparison::peer).distinct().toList();
        List<String> headers = new ArrayList<>(List.of("op", "conc"));
        for (String peer : peers) {
            headers.addAll(List.of(peer + " ops/s", peer + " p50", peer + " p99"));
        }
        Table table = new Table(headers);
        for (Run run : base.runs()) {
            List<String> row = new ArrayList<>(List.of(run.op().label, Integer.toString(run.concurrency())));
            for (String peer : peers) {
                Optional<Comparison> c = comparisons.stream().filter(x -> x.peer().equals(peer)
                        && x.op() == run.op() && x.concurrency() == run.concurrency()).findFirst();
                row.add(c.map(x -> times(x.throughputRatio())).orElse("-"));
                row.add(c.map(x -> times(x.p50Ratio())).orElse("-"));
                row.add(c.map(x -> times(x.p99Ratio())).orElse("-"));
            }
            table.add(row);
        }
        return table;
    }

    static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String times(double ratio) {
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio);
    }

    static String json(Settings settings, List<SystemRuns> systems, List<Comparison> comparisons) {
        Json json = new Json();
        json.open('{');
        json.field("command", settings.command()).field("date", settings.date()).field("cores", settings.cores())
                .field("loadAverageAtStart", settings.loadAverageAtStart())
                .field("loadAverageAtEnd", settings.loadAverageAtEnd())
                .field("seconds", settings.seconds()).field("warmupSeconds", settings.warmupSeconds());
        json.key("concurrency").open('[');
        settings.concurrency().forEach(json::value);
        json.close(']');
        json.field("valueBytes", settings.valueBytes()).field("keys", settings.keys())
                .field("connect", settings.connect());
        json.key("systems").open('[');
        for (SystemRuns system : systems) {
            json.open('{').field("system", system.system())
                    .field("status", system.status().name().toLowerCase(Locale.ROOT))
                    .field("detail", system.detail());
            json.key("runs").open('[');
            for (Run run : system.runs()) {
                LatencyRecorder.Summary s = run.summary();
                json.open('{').field("op", run.op().label).field("concurrency", run.concurrency())
                        .field("operations", s.operations()).field("opsPerSecond", s.throughput())
                        .field("p50Ms", s.p50()).field("p99Ms", s.p99()).field("p999Ms", s.p999())
                        .field("maxMs", s.max()).field("overOneSecond", s.overOneSecond())
                        .field("failures", run.failures()).close('}');
            }
            json.close(']').close('}');
        }
        json.close(']');
        json.key("comparison").open('[');
        for (Comparison c : comparisons) {
            json.open('{').field("peer", c.peer()).field("op", c.op().label).field("concurrency", c.concurrency())
                    .field("throughputRatio", c.throughputRatio()).field("p50Ratio", c.p50Ratio())
                    .field("p99Ratio", c.p99Ratio()).close('}');
        }
        json.close(']');
        json.close('}');
        return json.toString();
    }

    /** Column-aligned text for a terminal, or a Markdown table for the README. */
    static final class Table {
        private final List<String> headers;
        private final List<List<String>> rows = new ArrayList<>();

        Table(List<String> headers) {
            this.headers = List.copyOf(headers);
        }

        void add(List<String> row) {
            if (row.size() != headers.size()) {
                throw new IllegalArgumentException("row has " + row.size() + " cells, table has " + headers.size() + " columns");
            }
            rows.add(List.copyOf(row));
        }

        List<List<String>> rows() {
            return List.copyOf(rows);
        }

        /** The first column left-aligned, the others right-aligned, two spaces apart. */
        String text() {
            int[] widths = new int[headers.size()];
            for (List<String> row : allRows()) {
                for (int i = 0; i < row.size(); i++) {
                    widths[i] = Math.max(widths[i], row.get(i).length());
                }
            }
            StringBuilder out = new StringBuilder();
            for (List<String> row : allRows()) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.size(); i++) {
                    String cell = row.get(i);
                    String pad = " ".repeat(widths[i] - cell.length());
                    line.append(i == 0 ? "" : "  ").append(i == 0 ? cell + pad : pad + cell);
                }
                out.append(line.toString().stripTrailing()).append('\n');
            }
            return out.toString();
        }

        String markdown() {
            StringBuilder out = new StringBuilder();
            out.append("| ").append(String.join(" | ", headers)).append(" |\n");
            out.append("|").append("---|".repeat(headers.size())).append('\n');
            for (List<String> row : rows) {
                out.append("| ").append(String.join(" | ", row)).append(" |\n");
            }
            return out.toString();
        }

        private List<List<String>> allRows() {
            List<List<String>> all = new ArrayList<>();
            all.add(headers);
            all.addAll(rows);
            return all;
        }
    }

    /** Just enough of a JSON writer for the report: objects, arrays, strings, numbers (NaN as null). */
    private static final class Json {
        private final StringBuilder out = new StringBuilder();
        /** Per open container: whether it already holds an element. */
        private final java.util.ArrayDeque<boolean[]> open = new java.util.ArrayDeque<>();
        private boolean afterKey;

        Json open(char bracket) {
            separate();
            out.append(bracket);
            open.push(new boolean[]{false});
            return this;
        }

        Json close(char bracket) {
            open.pop();
            out.append(bracket);
            return this;
        }

        Json key(String name) {
            separate();
            string(name);
            out.append(':');
            afterKey = true;
            return this;
        }

        Json field(String name, String value) {
            return key(name).value(value);
        }

        Json field(String name, double value) {
            return key(name).value(value);
        }

        Json field(String name, long value) {
            return key(name).value(value);
        }

        Json value(String value) {
            separate();
            if (value == null) {
                out.append("null");
            } else {
                string(value);
            }
            return this;
        }

        Json value(double value) {
            separate();
            out.append(Double.isNaN(value) || Double.isInfinite(value) ? "null" : fixed(value, 4));
            return this;
        }

        Json value(long value) {
            separate();
            out.append(value);
            return this;
        }

        Json value(Integer value) {
            return value((long) value);
        }

        private void separate() {
            if (afterKey) {
                afterKey = false;
                return;
            }
            if (!open.isEmpty()) {
                boolean[] hasElement = open.peek();
                if (hasElement[0]) {
                    out.append(',');
                }
                hasElement[0] = true;
            }
        }

        private void string(String value) {
            out.append('"');
            for (char c : value.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}

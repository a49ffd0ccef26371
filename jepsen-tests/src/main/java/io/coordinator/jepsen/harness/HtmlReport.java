package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.coordinator.jepsen.harness.RunFolder.Band;
import io.coordinator.jepsen.harness.RunFolder.Mark;
import io.coordinator.jepsen.harness.RunFolder.Op;
import io.coordinator.jepsen.harness.RunFolder.Outcome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code report.html}: one self-contained page (inline SVG and CSS, no script) for a person to read a
 * run: its facts and verdict; a timeline with a row per process and a bar per operation from invocation
 * to completion, coloured by outcome, the faults as shaded bands and the counterexample's operations
 * outlined in red, each bar with a tooltip; and below it, on the same time axis, throughput and
 * latency per second. Built from the run folder's files only, so an old folder can be drawn again.
 *
 * <p>Bounded: past {@link #BARS_MAX} operations the bars are a sample (the counterexample's always in,
 * then fail/info before ok), which the page says; the charts count every operation. At the bound the
 * file is about 3 MB.
 */
public final class HtmlReport {
    static final String FILE = "report.html";
    static final int BARS_MAX = 20_000;
    private static final int LEFT_PX = 70;
    private static final int RIGHT_PX = 20;
    private static final int PX_PER_SECOND = 40;
    private static final int PLOT_WIDTH_MIN_PX = 900;
    private static final int PLOT_WIDTH_MAX_PX = 3600;
    private static final int ROWS_HEIGHT_MAX_PX = 700;
    private static final int LABEL_STRIP_PX = 34;
    private static final int AXIS_PX = 18;
    private static final int CHART_HEIGHT_PX = 130;
    private static final int VALUE_CHARS_MAX = 60;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final String CSS = String.join("\n",
            "body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}",
            "h1{font-size:18px;margin:0 0 8px}h2{font-size:15px;margin:18px 0 4px}",
            ".verdict{font-size:28px;font-weight:bold;padding:2px 12px;border-radius:4px;color:#fff}",
            ".VALID{background:#2e8b3a}.INVALID{background:#c62828}.UNKNOWN{background:#e69500}.NONE{background:#888}",
            "table.facts td{padding:1px 10px 1px 0;vertical-align:top}code{background:#f3f3f3;padding:1px 3px}",
            ".scroll{overflow-x:auto}svg{font:11px system-ui,sans-serif}",
            "rect.ok{fill:#43a047}rect.fail{fill:#fb8c00}rect.info{fill:#fdd835}rect.pending{fill:#fdd835;stroke:#b08d00;stroke-dasharray:2 1}",
            "rect.ce{stroke:#d50000;stroke-width:2.5}line.ce-tick{stroke:#d50000;stroke-width:3}rect.band{fill:#7e57c2;fill-opacity:0.13}",
            "line.grid{stroke:#e4e4e4}line.mark{stroke:#555;stroke-dasharray:3 3}text.band{fill:#4527a0}",
            "polyline{fill:none;stroke-width:1.5}.l-ok{stroke:#2e7d32}.l-bad{stroke:#ef6c00}.l-p50{stroke:#1565c0}.l-p99{stroke:#c62828}",
            ".key span{display:inline-block;width:12px;height:10px;margin:0 3px 0 10px;vertical-align:middle}");

    private HtmlReport() {
    }

    /** Writes {@code report.html} into {@code folder} from its files, and returns its path. */
    public static Path write(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        Files.writeString(file, render(RunFolder.read(folder)), StandardCharsets.UTF_8);
        return file;
    }

    static String render(RunFolder run) {
        Axis axis = Axis.of(run);
        StringBuilder out = new StringBuilder(1 << 16);
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>")
                .append(esc(title(run))).append("</title>\n<style>\n").append(CSS).append("\n</style></head><body>\n");
        header(out, run);
        out.append("<h2>Operations per process</h2>\n");
        legend(out, run);
        out.append("<div class=\"scroll\">\n");
        timeline(out, run, axis);
        out.append("<h2>Throughput: completed operations per second</h2>\n<div class=\"key\">")
                .append("<span style=\"background:#2e7d32\"></span>ok<span style=\"background:#ef6c00\"></span>fail + info</div>\n");
        throughput(out, run, axis);
        out.append("<h2>Latency of ok operations, per second of completion (ms)</h2>\n<div class=\"key\">")
                .append("<span style=\"background:#1565c0\"></span>p50<span style=\"background:#c62828\"></span>p99</div>\n");
        latency(out, run, axis);
        out.append("</div>\n");
        timelineText(out, run);
        return out.append("</body></html>\n").toString();
    }

    private static String title(RunFolder run) {
        JsonNode facts = run.verdict().path("run");
        return "harness " + (facts.has("system") ? facts.get("system").asText() + " " : "") + facts.path("workload").asText("run") + ", seed " + facts.path("seed").asText("?") + ": "
                + run.verdict().path("verdict").asText("not judged");
    }

    private static void header(StringBuilder out, RunFolder run) {
        JsonNode v = run.verdict();
        JsonNode facts = v.path("run");
        String verdict = v.path("verdict").asText("");
        out.append("<h1>").append(esc(facts.path("workload").asText("harness run"))).append(" &#8212; <span class=\"verdict ")
                .append(verdict.isEmpty() ? "NONE" : esc(verdict)).append("\">")
                .append(verdict.isEmpty() ? "not judged (no verdict.json)" : esc(verdict.toLowerCase(Locale.ROOT)))
                .append("</span></h1>\n<table class=\"facts\">\n");
        fact(out, "operations", v.has("ops") ? v.get("ops").asText() : Integer.toString(run.ops().size()));
        for (String name : List.of("system", "seed", "nemesis", "faultBackend", "seconds", "clients", "keys", "reads", "readsAre", "startedAt",
                "faultsHealed", "finalReadsComplete")) {
            if (facts.has(name)) {
                fact(out, name, facts.get(name).asText());
            }
        }
        if (v.has("checkSeconds")) {
            fact(out, "check", v.get("checkSeconds").asText() + " s");
        }
        if (facts.has("replay")) {
            out.append("<tr><td>replay</td><td><code>").append(esc(facts.get("replay").asText())).append("</code></td></tr>\n");
        }
        out.append("</table>\n");
        JsonNode counterexample = v.path("counterexample");
        if (!counterexample.isMissingNode()) {
            out.append("<h2>Counterexample: key ").append(esc(counterexample.path("key").asText())).append(", ")
                    .append(counterexample.has("shows") ? "operations that show " + esc(counterexample.get("shows").asText())
                            : "operations not linearizable by themselves")
                    .append(" (outlined in red below)</h2>\n<pre>");
            for (JsonNode line : counterexample.path("text")) {
                out.append(esc(line.asText())).append('\n');
            }
            out.append("</pre>\n");
        }
        for (JsonNode key : v.path("keys")) {
            if (key.has("reason")) {
                out.append("<p>key ").append(esc(key.path("key").asText())).append(" unknown: ")
                        .append(esc(key.get("reason").asText())).append("</p>\n");
            }
        }
        if (!run.timed()) {
            out.append("<p>The history has no <code>time</code> fields: operations are placed by line number, 1 ms a line.</p>\n");
        }
    }

    private static void fact(StringBuilder out, String name, String value) {
        out.append("<tr><td>").append(esc(name)).append("</td><td>").append(esc(value)).append("</td></tr>\n");
    }

    private static void legend(StringBuilder out, RunFolder run) {
        out.append("<div class=\"key\"><span style=\"background:#43a047\"></span>ok<span style=\"background:#fb8c00\"></span>fail")
                .append("<span style=\"background:#fdd835\"></span>info (outcome unknown)")
                .append("<span style=\"background:#fff;border:2px solid #d50000\"></span>counterexample")
                .append("<span style=\"background:#d1c4e9\"></span>fault in effect &#8212; hover a bar or band for details</div>\n");
        List<Op> shown = sample(run);
        if (shown.size() < run.ops().size()) {
            out.append("<p>").append(shown.size()).append(" of ").append(run.ops().size())
                    .append(" operations drawn (a sample: every counterexample operation, then fail and info before ok); ")
                    .append("the charts count them all.</p>\n");
        }
    }

    /** The time axis shared by the timeline and the charts: whole seconds since the run began. */
    private record Axis(long fromSecond, long toSecond, int plotPx) {
        static Axis of(RunFolder run) {
            long from = Long.MAX_VALUE;
            long to = 0;
            for (Op op : run.ops()) {
                from = Math.min(from, op.startNanos());
                to = Math.max(to, op.endNanos());
            }
            for (Band band : run.faults()) {
                from = Math.min(from, band.startNanos());
                to = Math.max(to, band.endNanos());
            }
            if (from == Long.MAX_VALUE) {
                from = 0;
            }
            long fromSecond = Math.floorDiv(from, NANOS_PER_SECOND);
            long toSecond = Math.max(fromSecond + 1, Math.floorDiv(to + NANOS_PER_SECOND - 1, NANOS_PER_SECOND));
            int px = (int) Math.max(PLOT_WIDTH_MIN_PX, Math.min(PLOT_WIDTH_MAX_PX, (toSecond - fromSecond) * PX_PER_SECOND));
            return new Axis(fromSecond, toSecond, px);
        }

        double x(long nanos) {
            double seconds = nanos / 1e9 - fromSecond;
            double clipped = Math.max(0, Math.min(toSecond - fromSecond, seconds));
            return LEFT_PX + clipped * plotPx / (toSecond - fromSecond);
        }

        int width() {
            return LEFT_PX + plotPx + RIGHT_PX;
        }

        long tickSeconds() {
            long span = toSecond - fromSecond;
            for (long step : new long[] {1, 2, 5, 10, 30, 60, 120, 300, 600}) {
                if (span / step <= plotPx / 45) {
                    return step;
                }
            }
            return 1200;
        }
    }

    private static void timeline(StringBuilder out, RunFolder run, Axis axis) {
        Map<String, Integer> rows = rows(run.ops());
        int rowPx = Math.max(3, Math.min(14, ROWS_HEIGHT_MAX_PX / Math.max(1, rows.size())));
        int top = LABEL_STRIP_PX;
        int height = top + rows.size() * rowPx + AXIS_PX;
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"").append(axis.width())
                .append("\" height=\"").append(height).append("\">\n");
        grid(out, axis, top, top + rows.size() * rowPx);
        int labelRow = 0;
        for (Band band : run.faults()) {
            double x0 = axis.x(band.startNanos());
            double x1 = Math.max(x0 + 1, axis.x(band.endNanos()));
            String title = band.what() + " (" + seconds(band.startNanos()) + " - " + seconds(band.endNanos())
                    + (band.healed() ? "" : ", not healed in the timeline") + ")";
            out.append("<rect class=\"band\" x=\"").append(num(x0)).append("\" y=\"0\" width=\"").append(num(x1 - x0))
                    .append("\" height=\"").append(top + rows.size() * rowPx).append("\"><title>").append(esc(title))
                    .append("</title></rect>\n<text class=\"band\" x=\"").append(num(x0 + 2)).append("\" y=\"")
                    .append(12 + 14 * (labelRow++ % 2)).append("\">").append(esc(shortFault(band.what()))).append("</text>\n");
        }
        for (Mark mark : run.marks()) {
            long seconds = Math.floorDiv(mark.atNanos(), NANOS_PER_SECOND);
            if (seconds >= axis.fromSecond() && seconds < axis.toSecond()) {
                double x = axis.x(mark.atNanos());
                out.append("<line class=\"mark\" x1=\"").append(num(x)).append("\" x2=\"").append(num(x)).append("\" y1=\"")
                        .append(top).append("\" y2=\"").append(top + rows.size() * rowPx).append("\"><title>")
                        .append(esc(seconds(mark.atNanos()) + " " + mark.what())).append("</title></line>\n");
            }
        }
        for (Map.Entry<String, Integer> row : rows.entrySet()) {
            out.append("<text x=\"4\" y=\"").append(top + row.getValue() * rowPx + rowPx - 1).append("\">")
                    .append(rowPx >= 8 ? "p" + esc(row.getKey()) : "").append("</text>\n");
        }
        List<Op> shown = sample(run);
        List<Op> highlighted = new ArrayList<>();
        for (Op op : shown) {
            if (run.highlighted().contains(op.invokeLine())) {
                highlighted.add(op); // drawn last, above their neighbours
            } else {
                bar(out, op, axis, top + rows.get(op.process()) * rowPx, rowPx, false);
            }
        }
        for (Op op : highlighted) {
            bar(out, op, axis, top + rows.get(op.process()) * rowPx, rowPx, true);
            // A tick above the rows as well: in a dense timeline an outlined bar is easy to miss.
            double x = axis.x(op.startNanos());
            out.append("<line class=\"ce-tick\" x1=\"").append(num(x)).append("\" x2=\"").append(num(x)).append("\" y1=\"")
                    .append(top - 7).append("\" y2=\"").append(top - 1).append("\"/>\n");
        }
        xAxis(out, axis, top + rows.size() * rowPx);
        out.append("</svg>\n");
    }

    /** One row per process, numbered processes in numeric order. */
    private static Map<String, Integer> rows(List<Op> ops) {
        TreeMap<String, Integer> rows = new TreeMap<>(Comparator.comparing((String p) -> !p.matches("-?\\d{1,18}"))
                .thenComparing(p -> p.matches("-?\\d{1,18}") ? Long.parseLong(p) : 0L).thenComparing(p -> p));
        java.util.Set<String> processes = new java.util.HashSet<>();
        ops.forEach(op -> processes.add(op.process()));
        processes.forEach(p -> rows.put(p, 0));
        int i = 0;
        for (Map.Entry<String, Integer> row : rows.entrySet()) {
            row.setValue(i++);
        }
        return rows;
    }

    private static void bar(StringBuilder out, Op op, Axis axis, int y, int rowPx, boolean counterexample) {
        double x0 = axis.x(op.startNanos());
        double width = Math.max(counterexample ? 3 : 1, axis.x(op.endNanos()) - x0);
        out.append("<rect class=\"").append(op.outcome().name().toLowerCase(Locale.ROOT)).append(counterexample ? " ce" : "")
                .append("\" x=\"").append(num(x0)).append("\" y=\"").append(y + 1).append("\" width=\"").append(num(width))
                .append("\" height=\"").append(Math.max(1, rowPx - 2)).append("\"><title>").append(esc(tooltip(op, counterexample)))
                .append("</title></rect>\n");
    }

    private static String tooltip(Op op, boolean counterexample) {
        String outcome = switch (op.outcome()) {
            case OK -> op.output() != null && op.f().equals("read") ? "ok " + clip(op.output()) : "ok";
            case FAIL -> "fail";
            case INFO -> "info (unknown)";
            case PENDING -> "no completion (unknown)";
        };
        String latency = op.outcome() == Outcome.PENDING ? "" : String.format(Locale.ROOT, ", %.1f ms", op.latencyNanos() / 1e6);
        return (counterexample ? "COUNTEREXAMPLE " : "") + "p" + op.process() + " " + op.f() + (op.key() == null ? "" : " " + op.key())
                + " " + clip(op.value()) + " -> " + outcome + latency + ", at " + seconds(op.startNanos()) + ", line " + op.invokeLine();
    }

    /** At most {@link #BARS_MAX} operations: the counterexample's, then fail/info, then ok, each set evenly thinned. */
    static List<Op> sample(RunFolder run) {
        List<Op> ops = run.ops();
        if (ops.size() <= BARS_MAX) {
            return ops;
        }
        List<Op> keep = new ArrayList<>();
        List<Op> bad = new ArrayList<>();
        List<Op> ok = new ArrayList<>();
        for (Op op : ops) {
            (run.highlighted().contains(op.invokeLine()) ? keep : op.outcome() == Outcome.OK ? ok : bad).add(op);
        }
        keep.addAll(thin(bad, BARS_MAX - keep.size()));
        keep.addAll(thin(ok, BARS_MAX - keep.size()));
        keep.sort(Comparator.comparingLong(Op::invokeLine));
        return keep;
    }

    private static List<Op> thin(List<Op> ops, int max) {
        if (ops.size() <= max) {
            return ops;
        }
        List<Op> kept = new ArrayList<>(Math.max(0, max));
        for (int i = 0; i < max; i++) {
            kept.add(ops.get((int) ((long) i * ops.size() / max)));
        }
        return kept;
    }

    private static void throughput(StringBuilder out, RunFolder run, Axis axis) {
        int buckets = (int) (axis.toSecond() - axis.fromSecond());
        double[] ok = new double[buckets];
        double[] bad = new double[buckets];
        for (Op op : run.ops()) {
            int b = bucket(axis, op.endNanos());
            if (b >= 0 && op.outcome() != Outcome.PENDING) {
                (op.outcome() == Outcome.OK ? ok : bad)[b]++;
            }
        }
        chart(out, run, axis, List.of(ok, bad), List.of("l-ok", "l-bad"), "ops/s");
    }

    private static void latency(StringBuilder out, RunFolder run, Axis axis) {
        int buckets = (int) (axis.toSecond() - axis.fromSecond());
        List<List<Long>> byBucket = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            byBucket.add(new ArrayList<>());
        }
        for (Op op : run.ops()) {
            int b = bucket(axis, op.endNanos());
            if (b >= 0 && op.outcome() == Outcome.OK) {
                byBucket.get(b).add(op.latencyNanos());
            }
        }
        double[] p50 = new double[buckets];
        double[] p99 = new double[buckets];
        for (int i = 0; i < buckets; i++) {
            List<Long> l = byBucket.get(i);
            l.sort(null);
            p50[i] = l.isEmpty() ? Double.NaN : l.get((int) Math.ceil(0.50 * l.size()) - 1) / 1e6;
            p99[i] = l.isEmpty() ? Double.NaN : l.get((int) Math.ceil(0.99 * l.size()) - 1) / 1e6;
        }
        chart(out, run, axis, List.of(p50, p99), List.of("l-p50", "l-p99"), "ms");
    }

    private static int bucket(Axis axis, long nanos) {
        long b = Math.floorDiv(nanos, NANOS_PER_SECOND) - axis.fromSecond();
        return b < 0 || b >= axis.toSecond() - axis.fromSecond() ? -1 : (int) b;
    }

    /** Line charts on the timeline's x axis, one point per second (at its middle); NaN: no point, a gap. */
    private static void chart(StringBuilder out, RunFolder run, Axis axis, List<double[]> series, List<String> classes, String unit) {
        double max = 0;
        for (double[] s : series) {
            for (double v : s) {
                max = Double.isNaN(v) ? max : Math.max(max, v);
            }
        }
        max = niceCeiling(max);
        int top = 8;
        int bottom = top + CHART_HEIGHT_PX;
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(axis.width()).append("\" height=\"")
                .append(bottom + AXIS_PX).append("\">\n");
        grid(out, axis, top, bottom);
        for (Band band : run.faults()) {
            double x0 = axis.x(band.startNanos());
            out.append("<rect class=\"band\" x=\"").append(num(x0)).append("\" y=\"").append(top).append("\" width=\"")
                    .append(num(Math.max(1, axis.x(band.endNanos()) - x0))).append("\" height=\"").append(CHART_HEIGHT_PX)
                    .append("\"><title>").append(esc(band.what())).append("</title></rect>\n");
        }
        for (int i = 0; i <= 2; i++) {
            double y = bottom - i * CHART_HEIGHT_PX / 2.0;
            out.append("<line class=\"grid\" x1=\"").append(LEFT_PX).append("\" x2=\"").append(LEFT_PX + axis.plotPx())
                    .append("\" y1=\"").append(num(y)).append("\" y2=\"").append(num(y)).append("\"/><text x=\"4\" y=\"")
                    .append(num(y + 4)).append("\">").append(num(max * i / 2)).append(i == 2 ? " " + unit : "").append("</text>\n");
        }
        for (int s = 0; s < series.size(); s++) {
            double[] values = series.get(s);
            StringBuilder points = new StringBuilder();
            for (int i = 0; i <= values.length; i++) {
                if (i == values.length || Double.isNaN(values[i])) {
                    if (!points.isEmpty()) {
                        out.append("<polyline class=\"").append(classes.get(s)).append("\" points=\"").append(points).append("\"/>\n");
                        points.setLength(0);
                    }
                    continue;
                }
                double x = axis.x((axis.fromSecond() + i) * NANOS_PER_SECOND + NANOS_PER_SECOND / 2);
                double y = bottom - (max == 0 ? 0 : values[i] / max * CHART_HEIGHT_PX);
                points.append(points.isEmpty() ? "" : " ").append(num(x)).append(',').append(num(y));
            }
        }
        xAxis(out, axis, bottom);
        out.append("</svg>\n");
    }

    private static double niceCeiling(double max) {
        if (max <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= max) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static void grid(StringBuilder out, Axis axis, int top, int bottom) {
        for (long s = axis.fromSecond(); s <= axis.toSecond(); s += axis.tickSeconds()) {
            double x = axis.x(s * NANOS_PER_SECOND);
            out.append("<line class=\"grid\" x1=\"").append(num(x)).append("\" x2=\"").append(num(x)).append("\" y1=\"").append(top)
                    .append("\" y2=\"").append(bottom).append("\"/>\n");
        }
    }

    private static void xAxis(StringBuilder out, Axis axis, int y) {
        for (long s = axis.fromSecond(); s <= axis.toSecond(); s += axis.tickSeconds()) {
            out.append("<text x=\"").append(num(axis.x(s * NANOS_PER_SECOND) - 6)).append("\" y=\"").append(y + 13).append("\">")
                    .append(s).append("s</text>\n");
        }
    }

    /** The timeline as text too, with the phases that the charts leave out. */
    private static void timelineText(StringBuilder out, RunFolder run) {
        record Line(long nanos, String text) {
        }
        List<Line> lines = new ArrayList<>();
        run.faults().forEach(b -> lines.add(new Line(b.startNanos(), "fault: " + b.what() + " until " + seconds(b.endNanos())
                + (b.healed() ? "" : " (no heal recorded)"))));
        run.marks().forEach(m -> lines.add(new Line(m.atNanos(), m.what())));
        if (lines.isEmpty()) {
            return;
        }
        lines.sort(Comparator.comparingLong(Line::nanos));
        out.append("<h2>Timeline (seconds since the run began)</h2>\n<pre>");
        lines.forEach(l -> out.append(esc(String.format(Locale.ROOT, "%8s  %s", seconds(l.nanos()), l.text()))).append('\n'));
        out.append("</pre>\n");
    }

    private static String shortFault(String what) {
        int semicolon = what.indexOf(';');
        String text = semicolon < 0 ? what : what.substring(0, semicolon);
        return text.length() > 40 ? text.substring(0, 39) + "..." : text;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3fs", nanos / 1e9);
    }

    private static String clip(String text) {
        return text.length() <= VALUE_CHARS_MAX ? text : text.substring(0, VALUE_CHARS_MAX - 3) + "...";
    }

    /** Two decimals at most, no trailing zeros: coordinates are a large part of the file. */
    private static String num(double v) {
        long hundredths = Math.round(v * 100);
        long abs = Math.abs(hundredths);
        long fraction = abs % 100;
        String whole = (hundredths < 0 ? "-" : "") + abs / 100;
        return fraction == 0 ? whole : fraction % 10 == 0 ? whole + "." + fraction / 10 : whole + (fraction < 10 ? ".0" : ".") + fraction;
    }

    /** For text and attribute values alike. */
    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append(' '); // not allowed in XML, and nothing a person needs to see
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}

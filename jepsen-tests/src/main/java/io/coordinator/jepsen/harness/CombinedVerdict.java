package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.jepsen.checker.Verdict;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The top of a {@code --workload all} run folder: every workload ran at once on the same cluster under
 * the same faults, each judged in its own sub-folder (its {@code verdict.json} and {@code report.html});
 * here {@code verdict.json} says {@code valid} over all of them, then each checker's verdict, and
 * {@code report.html} is an index that links to theirs.
 */
final class CombinedVerdict {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CombinedVerdict() {
    }

    static void write(Path folder, Verdict overall, Map<String, RunVerdict.Result> results, Map<String, Object> run) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("valid", overall == Verdict.VALID);
        root.put("verdict", overall.name());
        ObjectNode checkers = root.putObject("checkers");
        results.forEach((name, result) -> {
            ObjectNode node = checkers.putObject(name);
            node.put("valid", result.verdict() == Verdict.VALID);
            node.put("verdict", result.verdict().name());
            node.put("ops", result.ops());
            node.put("folder", name);
            List<String> lines = RunVerdict.describe(result);
            node.set("summary", JSON.valueToTree(lines));
        });
        root.set("run", JSON.valueToTree(run));
        Files.writeString(folder.resolve("verdict.json"), JSON.writeValueAsString(root) + "\n");
        Files.writeString(folder.resolve("report.html"), index(overall, results, run), StandardCharsets.UTF_8);
    }

    private static String index(Verdict overall, Map<String, RunVerdict.Result> results, Map<String, Object> run) {
        StringBuilder out = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>harness run: ")
                .append(overall.word()).append("</title><style>body{font-family:sans-serif;margin:2em}"
                        + "td,th{padding:4px 10px;text-align:left;border-bottom:1px solid #ddd}"
                        + ".valid{color:#176b2c}.invalid{color:#b00020;font-weight:bold}.unknown{color:#8a6d00}"
                        + "pre{background:#f6f6f6;padding:8px}</style></head><body>\n");
        out.append("<h1>All workloads: <span class=\"").append(overall.word()).append("\">").append(overall.word())
                .append("</span></h1>\n<table>\n");
        run.forEach((name, value) -> out.append("<tr><th>").append(HtmlReport.esc(name)).append("</th><td>")
                .append(HtmlReport.esc(String.valueOf(value))).append("</td></tr>\n"));
        out.append("</table>\n<h2>Checkers</h2>\n<table><tr><th>workload</th><th>verdict</th><th>ops</th><th>report</th></tr>\n");
        results.forEach((name, result) -> out.append("<tr><td>").append(HtmlReport.esc(name)).append("</td><td class=\"")
                .append(result.verdict().word()).append("\">").append(result.verdict().word()).append("</td><td>")
                .append(result.ops()).append("</td><td><a href=\"").append(HtmlReport.esc(name)).append("/report.html\">")
                .append(HtmlReport.esc(name)).append("/report.html</a></td></tr>\n"));
        out.append("</table>\n");
        results.forEach((name, result) -> {
            out.append("<h3>").append(HtmlReport.esc(name)).append("</h3><pre>");
            RunVerdict.describe(result).forEach(line -> out.append(HtmlReport.esc(line)).append('\n'));
            out.append("</pre>\n");
        });
        return out.append("<p>The fault timeline: <a href=\"timeline.txt\">timeline.txt</a>; member logs beside it.</p>\n</body></html>\n")
                .toString();
    }
}

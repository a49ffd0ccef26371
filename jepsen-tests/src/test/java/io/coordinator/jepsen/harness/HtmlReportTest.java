package io.coordinator.jepsen.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * report.html, from a small hand-made run folder: a well-formed page (it parses as XML), one bar per
 * operation, the fault as a band, the counterexample's operations outlined, and values escaped.
 */
class HtmlReportTest {
    private static final List<String> OUTCOMES = List.of("ok", "fail", "info", "pending");

    /** Six operations on three processes; the write of 1 and the stale read of 0 are the counterexample. */
    private static Path runFolder(Path dir, boolean judged) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("run"));
        Files.write(folder.resolve("history.jsonl"), List.of(
                ev(0, "invoke", "write", 0, 1_000_000_000L),
                ev(0, "ok", "write", 0, 1_010_000_000L),
                ev(1, "invoke", "write", 1, 1_200_000_000L),                  // line 3
                ev(1, "ok", "write", 1, 1_250_000_000L),
                ev(2, "invoke", "read", null, 1_300_000_000L),                // line 5
                ev(2, "ok", "read", 0, 1_320_000_000L),
                ev(0, "invoke", "cas", "[0,2]", 2_100_000_000L),
                ev(0, "fail", "cas", "[0,2]", 2_900_000_000L),
                "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k0\",\"value\":\"<script>alert(1)</script>\",\"time\":3000000000}",
                "{\"process\":1,\"type\":\"info\",\"f\":\"write\",\"key\":\"k0\",\"value\":\"<script>alert(1)</script>\",\"time\":4500000000}",
                ev(2, "invoke", "read", null, 4_000_000_000L)));               // never completes
        Files.write(folder.resolve("timeline.txt"), List.of(
                "# faults, seconds since the run began (2026-01-01T00:00:00Z); nemesis partition, seed 7",
                "   0.500s -- workload starts",
                "   2.000s start partition: isolate m3 (leader); sides [m3] [m1, m2]",
                "   4.000s heal partition",
                "   5.000s -- workload stopped, every fault healed",
                "# the link changes as netns+iptables made them",
                "   2.001s isolate m3; cut (iptables): m3->m1"));
        if (judged) {
            Files.writeString(folder.resolve("verdict.json"), """
                    {"valid": false, "verdict": "INVALID", "ops": 6, "checkSeconds": 0.01,
                     "keys": [{"key": "k0", "verdict": "INVALID", "ops": 6}],
                     "counterexample": {"key": "k0",
                       "operations": [{"process": 1, "f": "write", "key": "k0", "value": 1, "type": "ok", "invokeLine": 3, "completeLine": 4},
                                      {"process": 2, "f": "read", "key": "k0", "value": null, "type": "ok", "output": 0, "invokeLine": 5, "completeLine": 6}],
                       "text": ["line 3-4  process 1  key k0  write 1 -> ok", "line 5-6  process 2  key k0  read -> ok 0"]},
                     "run": {"workload": "register", "nemesis": "partition", "seed": 7, "faultBackend": "netns+iptables",
                             "replay": "bin/coordinator harness --workload register --seed 7 --nemesis partition"}}
                    """);
        }
        return folder;
    }

    private static String ev(int process, String type, String f, Object value, long time) {
        return "{\"process\":" + process + ",\"type\":\"" + type + "\",\"f\":\"" + f + "\",\"key\":\"k0\",\"value\":" + value
                + ",\"time\":" + time + "}";
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    private static List<Element> rects(Document page, String classWord) {
        List<Element> found = new ArrayList<>();
        NodeList all = page.getElementsByTagName("rect");
        for (int i = 0; i < all.getLength(); i++) {
            Element rect = (Element) all.item(i);
            if (List.of(rect.getAttribute("class").split(" ")).contains(classWord)) {
                found.add(rect);
            }
        }
        return found;
    }

    private static String title(Element element) {
        return element.getElementsByTagName("title").item(0).getTextContent();
    }

    @Test
    void theReportDrawsABarPerOperationTheFaultBandAndOutlinesTheCounterexample(@TempDir Path dir) throws Exception {
        Path file = HtmlReport.write(runFolder(dir, true));
        assertEquals(file.getParent().resolve("report.html"), file);
        Document page = parse(file); // well-formed: every tag closed, every value escaped

        List<Element> bars = new ArrayList<>();
        OUTCOMES.forEach(outcome -> bars.addAll(rects(page, outcome)));
        assertEquals(6, bars.size(), "one bar per operation");
        assertEquals(3, rects(page, "ok").size());
        assertEquals(1, rects(page, "fail").size());
        assertEquals(1, rects(page, "info").size());
        assertEquals(1, rects(page, "pending").size());

        List<Element> outlined = rects(page, "ce");
        assertEquals(2, outlined.size(), "the counterexample's two operations");
        assertTrue(title(outlined.get(0)).contains("p1 write k0 1 -> ok, 50.0 ms"), title(outlined.get(0)));
        assertTrue(title(outlined.get(1)).contains("p2 read k0 null -> ok 0, 20.0 ms"), title(outlined.get(1)));

        // The band is in the timeline and in both charts; the backend's own record of the cut is not a second band.
        List<Element> bands = rects(page, "band");
        assertEquals(3, bands.size());
        assertTrue(title(bands.get(0)).startsWith("partition: isolate m3 (leader); sides [m3] [m1, m2] (2.000s - 4.000s"),
                title(bands.get(0)));

        String html = Files.readString(file);
        assertTrue(html.contains("class=\"verdict INVALID\""));
        assertTrue(html.contains("bin/coordinator harness --workload register --seed 7 --nemesis partition"));
        assertTrue(html.contains("netns+iptables"));
        assertTrue(html.contains("line 5-6  process 2  key k0  read -&gt; ok 0"), "the counterexample as text");
        assertFalse(html.contains("<script"), "a value is never markup");
        assertTrue(html.contains("&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
        // Throughput (ok; fail + info) and latency (p50, p99), each a line or, across empty seconds, several.
        assertTrue(page.getElementsByTagName("polyline").getLength() >= 4);
    }

    @Test
    void aFolderWithoutAVerdictIsDrawnAsNotJudged(@TempDir Path dir) throws Exception {
        Document page = parse(HtmlReport.write(runFolder(dir, false)));
        List<Element> bars = new ArrayList<>();
        OUTCOMES.forEach(outcome -> bars.addAll(rects(page, outcome)));
        assertEquals(6, bars.size());
        assertEquals(0, rects(page, "ce").size());
        assertTrue(Files.readString(dir.resolve("run/report.html")).contains("not judged (no verdict.json)"));
    }

    @Test
    void aBigHistoryIsSampledButKeepsEveryCounterexampleOperation(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("run"));
        int ops = 30_000;
        List<String> lines = new ArrayList<>(2 * ops);
        for (int i = 0; i < ops; i++) {
            int process = i % 10;
            long t = 1_000_000L * i;
            lines.add(ev(process, "invoke", "write", i % 5, t));
            lines.add(ev(process, i % 50 == 0 ? "fail" : "ok", "write", i % 5, t + 900_000L));
        }
        Files.write(folder.resolve("history.jsonl"), lines);
        // Two operations that a stride would skip: lines 2 * 12_345 + 1 and 2 * 29_999 + 1.
        Files.writeString(folder.resolve("verdict.json"), """
                {"verdict": "INVALID", "ops": 30000, "counterexample": {"key": "k0",
                  "operations": [{"invokeLine": 24691}, {"invokeLine": 59999}], "text": []}, "run": {"workload": "register"}}
                """);
        long start = System.nanoTime();
        Path file = HtmlReport.write(folder);
        System.out.printf("report of %d ops written in %.2f s%n", ops, (System.nanoTime() - start) / 1e9);
        Document page = parse(file);
        List<Element> bars = new ArrayList<>();
        OUTCOMES.forEach(outcome -> bars.addAll(rects(page, outcome)));
        assertEquals(HtmlReport.BARS_MAX, bars.size());
        assertEquals(ops / 50, rects(page, "fail").size(), "fail and info come before ok in the sample");
        assertEquals(2, rects(page, "ce").size());
        assertTrue(Files.readString(file).contains(HtmlReport.BARS_MAX + " of " + ops + " operations drawn"));
        long size = Files.size(file);
        System.out.printf("report of %d ops: %d bytes%n", ops, size);
        assertTrue(size < 4_000_000, size + " bytes");
    }

    @Test
    void theReportCommandWritesEachFolderAndFailsOnOneThatIsNotARun(@TempDir Path dir) throws Exception {
        Path folder = runFolder(dir, true);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new ReportCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(folder.toString(), dir.resolve("nothing").toString());
        assertEquals(2, exit);
        assertTrue(Files.exists(folder.resolve("report.html")));
        assertTrue(out.toString().contains("report.html"), out.toString());
        assertTrue(err.toString().contains("nothing: cannot write the report"), err.toString());
    }
}

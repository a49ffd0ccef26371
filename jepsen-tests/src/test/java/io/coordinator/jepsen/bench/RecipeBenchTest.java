package io.coordinator.jepsen.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench-recipes} end to end, in a few rounds: both systems start, measure and report. */
class RecipeBenchTest {

    @Test
    void measuresBothSystemsAndPrintsTheRatios() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new RecipeBench()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--locks", "5", "--handovers", "3", "--warmup", "1", "--markdown");
        assertEquals(0, code, out + "\n" + err);
        String report = out.toString();
        assertTrue(report.matches("(?s).*\\| coordinator \\| lock\\+unlock \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| 5 \\|.*"), report);
        assertTrue(report.matches("(?s).*\\| zookeeper \\| handover \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| 3 \\|.*"), report);
        assertTrue(report.contains("Curator 5."), report);
        assertTrue(report.contains("| system | op | p50 ms | p99 ms | max ms | ops |\n|---|---|---|---|---|---|\n"), report);
        assertTrue(report.matches("(?s).*\\| handover \\| [0-9.]+x \\| [0-9.]+x \\|.*"), report);
    }

    @Test
    void roundsMustBePositive() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new RecipeBench()).setErr(new PrintWriter(err)).execute("--locks", "0");
        assertEquals(2, code);
        assertTrue(err.toString().contains("--locks and --handovers must be at least 1"), err.toString());
    }
}

package io.coordinator.jepsen.cli;

import io.coordinator.jepsen.cluster.ProcessCluster;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command, end to end: both acts run and every promise they narrate holds. */
class DemoTest {

    @Test
    void theFailoverAndThePartitionActsHold() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new Demo()).execute("--base-port", Integer.toString(ProcessCluster.freeBasePort(3)));
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, code, out);
        assertTrue(out.contains("a write through the survivors succeeded"), out);
        assertTrue(out.matches("(?s).*stepped down [0-9.]+ s after the cut.*"), out);
        assertTrue(out.matches("(?s).*a write through m\\d is refused after [0-9.]+ s: (UNAVAILABLE|TIMEOUT).*"), out);
        assertTrue(out.matches("(?s).*a linearizable read through m\\d is refused after [0-9.]+ s: (UNAVAILABLE|TIMEOUT).*"), out);
        assertTrue(out.contains("the write refused during the cut is nowhere"), out);
        assertTrue(out.matches("(?s).*checker: the \\d+ linearizable reads and writes above, on \\d+ keys, are linearizable: valid.*"), out);
        assertTrue(out.contains("] done"), out);
    }
}

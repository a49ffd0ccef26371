package io.coordinator.jepsen.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Option checks that fail before anything is started. */
class BenchOptionsTest {
    private static String run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Bench()).setErr(new PrintWriter(err));
        int code = commandLine.execute(args);
        assertEquals(2, code, "a usage error");
        return err.toString();
    }

    @Test
    void anUnknownSystemIsAUsageErrorNamingTheKnownOnes() {
        assertTrue(run("--systems", "coordinator,consul").contains("unknown system 'consul'; known: [coordinator, zookeeper, etcd]"));
    }

    @Test
    void theClientConnectsToTheLeaderOrAFollowerOnly() {
        assertTrue(run("--connect", "any").contains("--connect must be leader or follower"));
    }

    @Test
    void keysAreSixDigitNodesUnderOneParent() {
        assertEquals(List.of("/bench/k000000", "/bench/k000001", "/bench/k000002"), Bench.keyPaths(3));
    }
}

package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coordinator.jepsen.baseline.EtcdCluster;
import io.coordinator.jepsen.checker.History;
import io.coordinator.jepsen.checker.RegisterModel;
import io.coordinator.jepsen.cluster.NetnsNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code harness --system zookeeper|etcd}: the same workloads and faults against the baselines, each
 * member a real process in a network namespace. A run with linearizable reads under kills is valid for
 * both, as both promise; ZooKeeper's lock, fenced by the lock node's czxid, is valid and refuses every
 * late write of an abandoned grant. The weak configurations (reads without sync, etcd's unfenced lock)
 * are run by hand: whether a short run catches them depends on the schedule (see the README).
 */
class BaselinesHarnessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Outcome(int exit, String out, String err) {
    }

    private static Outcome harness(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Harness()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        System.out.print(out);
        System.out.print(err);
        return new Outcome(exit, out.toString(), err.toString());
    }

    private static void assumeNamespaces() {
        assumeTrue(NetnsNetwork.unavailableReason().isEmpty(), () -> "baselines need namespaces: " + NetnsNetwork.unavailableReason());
    }

    private static JsonNode runAndRead(Path folder, String system, String workload, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--system", system, "--workload", workload, "--seconds", "8",
                "--nemesis", "kill", "--clients", "4", "--seed", "5", "--out", folder.toString()));
        args.addAll(List.of(more));
        Outcome run = harness(args.toArray(String[]::new));
        assertTrue(run.exit() == 0 || run.exit() == 1, "the run did not complete: exit " + run.exit() + run.err());
        for (String file : List.of("history.jsonl", "timeline.txt", "verdict.json", "report.html", "m1.log", "m2.log", "m3.log")) {
            assertTrue(Files.size(folder.resolve(file)) > 0, file + " missing or empty");
        }
        assertFalse(Files.exists(folder.resolve("data")), "the members' data is removed, their logs kept");
        JsonNode verdict = JSON.readTree(folder.resolve("verdict.json").toFile());
        assertEquals(system, verdict.get("run").get("system").asText());
        assertTrue(verdict.get("run").get("replay").asText().contains("--system " + system), verdict.toString());
        assertEquals(NetnsNetwork.BACKEND, verdict.get("run").get("faultBackend").asText());
        assertTrue(verdict.get("run").get("faultsHealed").asInt() >= 1, "no kill was healed");
        assertTrue(Files.readString(folder.resolve("report.html")).contains(system));
        return verdict;
    }

    @Test
    void zooKeeperWithSyncedReadsIsLinearizableUnderKills(@TempDir Path dir) throws Exception {
        assumeNamespaces();
        Path folder = dir.resolve("zk");
        JsonNode verdict = runAndRead(folder, "zookeeper", "register", "--reads", "linearizable");
        assertEquals("sync then getData", verdict.get("run").get("readsAre").asText());
        assertEquals("VALID", verdict.get("verdict").asText(), verdict.toString());
        assertTrue(History.read(folder.resolve("history.jsonl"), new RegisterModel()).operations().size() > 100);
        assertTrue(verdict.get("run").get("finalReadsComplete").asBoolean());
    }

    @Test
    void etcdWithItsDefaultReadsIsLinearizableUnderKills(@TempDir Path dir) throws Exception {
        assumeNamespaces();
        assumeTrue(EtcdCluster.findBinary().isPresent(), "no etcd binary (apt-get install etcd-server)");
        Path folder = dir.resolve("etcd");
        JsonNode verdict = runAndRead(folder, "etcd", "register");
        assertEquals("linearizable", verdict.get("run").get("reads").asText());
        assertEquals("VALID", verdict.get("verdict").asText(), verdict.toString());
        assertTrue(History.read(folder.resolve("history.jsonl"), new RegisterModel()).operations().size() > 100);
    }

    @Test
    void zooKeepersLockFencedByCzxidRefusesEveryLateWrite(@TempDir Path dir) throws Exception {
        assumeNamespaces();
        JsonNode verdict = runAndRead(dir.resolve("zk-lock"), "zookeeper", "lock");
        assertEquals("VALID", verdict.get("verdict").asText(), verdict.toString());
        JsonNode counts = verdict.get("details").get("counts");
        assertTrue(counts.path("fenced write ok").asLong() > 0, counts.toString());
        assertTrue(counts.path("grant abandoned").asLong() > 0, counts.toString());
        assertEquals(0, counts.path("late fenced write applied").asLong(), counts.toString());
    }

    @Test
    void baselinesRunOnlyRegisterAndLock(@TempDir Path dir) {
        Outcome set = harness("--system", "zookeeper", "--workload", "set", "--out", dir.toString());
        assertEquals(2, set.exit());
        assertTrue(set.err().contains("--system zookeeper runs only: lock, register; not 'set'"), set.err());

        Outcome all = harness("--system", "etcd", "--workload", "all", "--out", dir.toString());
        assertEquals(2, all.exit());
        assertTrue(all.err().contains("--system etcd runs only: lock, register; not 'all'"), all.err());

        Outcome unknown = harness("--system", "consul", "--workload", "register", "--out", dir.toString());
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("unknown --system 'consul'; known: coordinator, zookeeper, etcd"), unknown.err());
    }
}

package io.coordinator.jepsen;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.cli.Ctl;
import io.coordinator.client.MemberInfo;
import io.coordinator.core.api.CreateMode;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton's promises, checked against three real member processes: ctl writes and
 * reads, writes resume within 3 s of the leader's SIGKILL, and every acknowledged write survives a
 * full stop and restart of the cluster.
 */
class ProcessClusterTest {
    private Path dataDir;
    private ProcessCluster cluster;
    private ClusterView view;

    @BeforeEach
    void startCluster() throws Exception {
        dataDir = Files.createTempDirectory("process-cluster-test");
        cluster = ProcessCluster.start(dataDir, 3, ProcessCluster.freeBasePort(3));
        view = new ClusterView(cluster);
        view.awaitLeader(Duration.ofSeconds(60));
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        ProcessCluster.deleteRecursively(dataDir);
    }

    @Test
    void ctlWritesThroughOneMemberAndReadsThroughAnother() {
        assertEquals(0, ctl(cluster.endpoint("m1"), "create", "/ctl", "first").exitCode());
        assertEquals(0, ctl(cluster.endpoint("m2"), "set", "/ctl", "second").exitCode());
        CtlRun read = ctl(cluster.endpoint("m3"), "get", "/ctl");
        assertEquals(0, read.exitCode());
        assertTrue(read.out().contains("second"), read.out());
        CtlRun status = ctl(cluster.endpoints(), "status");
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.out().contains("LEADER"), status.out());
        CtlRun missing = ctl(cluster.endpoint("m1"), "get", "/nope");
        assertEquals(Ctl.EXIT_NOT_FOUND, missing.exitCode(), missing.err());
    }

    @Test
    void writesSucceedAgainWithinThreeSecondsOfTheLeadersSigkill() {
        try (Coordinator warm = client(cluster.endpoints())) {
            warm.create("/failover", bytes("before"), CreateMode.PERSISTENT);
        }
        MemberInfo leader = view.awaitLeader(Duration.ofSeconds(10));
        String victim = leader.self().memberId();
        try (Coordinator client = client(view.endpointsExcept(victim))) {
            client.set("/failover", bytes("warm"));
            long killedAt = System.nanoTime();
            cluster.kill(victim);
            client.set("/failover", bytes("after"));
            double seconds = (System.nanoTime() - killedAt) / 1e9;
            System.out.printf("write after leader kill succeeded in %.2f s%n", seconds);
            assertTrue(seconds < 3.0, "writes resumed only after " + seconds + " s");
            assertEquals("after", client.get("/failover").dataUtf8());
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesAFullStopAndRestart() {
        List<String> acknowledged = new ArrayList<>();
        try (Coordinator client = client(cluster.endpoints())) {
            client.create("/durable", new byte[0], CreateMode.PERSISTENT);
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String path = "/durable/n" + i;
                writes.add(client.async().create(path, bytes("v" + i), CreateMode.PERSISTENT)
                        .thenRun(() -> {
                            synchronized (acknowledged) {
                                acknowledged.add(path);
                            }
                        }));
            }
            writes.forEach(CompletableFuture::join);
        }
        for (String id : cluster.memberIds()) {
            cluster.kill(id);
        }
        for (String id : cluster.memberIds()) {
            cluster.startMember(id);
        }
        view.awaitLeader(Duration.ofSeconds(60));
        try (Coordinator client = client(cluster.endpoints())) {
            await().atMost(Duration.ofSeconds(30)).ignoreException(CoordinatorException.class)
                    .until(() -> client.children("/durable").names().size() == acknowledged.size());
            for (String path : acknowledged) {
                String expected = "v" + path.substring("/durable/n".length());
                assertEquals(expected, client.get(path).dataUtf8(), path);
            }
        }
        assertEquals(300, acknowledged.size());
    }

    private static Coordinator client(String endpoints) {
        return Coordinator.connect(ClientConfig.builder().endpoints(endpoints).requestTimeoutMillis(30_000).build());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private record CtlRun(int exitCode, String out, String err) {
    }

    private static CtlRun ctl(String endpoints, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Ctl());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--endpoints", endpoints));
        all.addAll(List.of(args));
        int code = commandLine.execute(all.toArray(String[]::new));
        return new CtlRun(code, out.toString(), err.toString());
    }
}

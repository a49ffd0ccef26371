package io.coordinator.jepsen.cli;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Endpoint;
import io.coordinator.client.GetResult;
import io.coordinator.client.MemberInfo;
import io.coordinator.core.api.CreateMode;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;
import io.coordinator.protocol.message.Consistency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Starts three member processes and narrates what a CP cluster does: a write on one member is read
 * on another, the leader dies by SIGKILL and writes resume under a new leader, the dead member comes
 * back and catches up; then the leader is cut off from the majority ({@link PartitionAct}). The
 * members talk to each other through fault proxies in this process. Everything it starts is stopped
 * at the end or on Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a local 3-member cluster and narrate a failover and a partition.")
public final class Demo implements Callable<Integer> {
    @Option(names = "--base-port", defaultValue = "7000",
            description = "Member i listens for clients on base+i (default ${DEFAULT-VALUE}); a busy range falls back to a free one")
    int basePort;

    @Option(names = "--data-dir", description = "Where the members keep their data (default: a temporary directory, removed at the end)")
    Path dataDir;

    private long startNanos;

    @Override
    public Integer call() throws Exception {
        startNanos = System.nanoTime();
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("coordinator-demo") : dataDir;
        int base = ProcessCluster.isFree(basePort, 3) ? basePort : ProcessCluster.freeBasePort(3);
        say("Coordinator demo: three members as separate processes on 127.0.0.1, data in " + dir);
        try (ProcessCluster cluster = ProcessCluster.startWithProxies(dir, 3, base);
             DemoLedger ledger = new DemoLedger(dir.resolve("demo-history.jsonl"))) {
            ClusterView view = new ClusterView(cluster);
            say("started m1, m2, m3 (clients on " + cluster.endpoints() + "); waiting for a leader ...");
            MemberInfo leader = view.awaitLeader(Duration.ofSeconds(60));
            say("leader is " + leader.self().memberId() + " in term " + leader.self().term());
            view.printStatus(System.out);

            String writer = "m1";
            String reader = "m3";
            try (Coordinator onWriter = connectTo(cluster, writer); Coordinator onReader = connectTo(cluster, reader)) {
                createOrSet(ledger, 1, onWriter, "/demo", "");
                String hello = "hello from " + writer;
                long revision = ledger.write(1, "/demo", hello, () -> onWriter.set("/demo", utf8(hello))).modRevision();
                say("wrote /demo = \"hello from " + writer + "\" through " + writer + " at revision " + revision);
                String read = ledger.read(2, "/demo", () -> onReader.get("/demo").dataUtf8());
                say("read /demo through " + reader + " (linearizable): \"" + read + "\" at revision "
                        + onReader.lastRevision());
            }

            String victim = leader.self().memberId();
            say("kill -9 the leader " + victim + " (pid " + cluster.pid(victim) + ")");
            long killedAt = System.nanoTime();
            cluster.kill(victim);
            String survivors = view.endpointsExcept(victim);
            try (Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(survivors)
                    .requestTimeoutMillis(30_000).build())) {
                String after = "written after " + victim + " died";
                long revision = ledger.write(3, "/demo", after, () -> client.set("/demo", utf8(after))).modRevision();
                double seconds = (System.nanoTime() - killedAt) / 1e9;
                say(String.format("a write through the survivors succeeded %.2f s after the kill, at revision %d",
                        seconds, revision));
                MemberInfo newLeader = view.awaitLeader(Duration.ofSeconds(30));
                say("new leader is " + newLeader.self().memberId() + " in term " + newLeader.self().term());
                for (int i = 1; i <= 5; i++) {
                    createOrSet(ledger, 3, client, "/demo/item-" + i, "value " + i);
                }
                say("wrote /demo/item-1 .. item-5 while " + victim + " was down");

                say("restart " + victim + " with its old data directory");
                cluster.startMember(victim);
                long target = client.get("/demo").revision();
                view.awaitRevision(victim, client.lastRevision(), Duration.ofSeconds(60));
                try (Coordinator onVictim = connectTo(cluster, victim)) {
                    GetResult local = onVictim.get("/demo/item-5", Consistency.SERIALIZABLE);
                    say(victim + " caught up: its own copy has /demo/item-5 = \"" + local.dataUtf8()
                            + "\" and revision >= " + target);
                }
                view.printStatus(System.out);
            }
            if (!new PartitionAct(cluster, view, ledger, this::say).run()) {
                say("demo failed: a promise of the partition act did not hold (see above)");
                return 1;
            }
            DemoLedger.Judgement judgement = ledger.judge();
            say(judgement.line());
            if (!judgement.valid()) {
                return 1;
            }
            say("stopping all members");
        } catch (CoordinatorException e) {
            say("demo failed: " + e.code() + ": " + e.getMessage());
            return 1;
        } finally {
            if (temporary) {
                ProcessCluster.deleteRecursively(dir);
            }
        }
        say("done");
        return 0;
    }

    private static Coordinator connectTo(ProcessCluster cluster, String memberId) {
        return Coordinator.connect(ClientConfig.builder()
                .endpoints(java.util.List.of(Endpoint.parse(cluster.endpoint(memberId))))
                .requestTimeoutMillis(30_000).build());
    }

    private static void createOrSet(DemoLedger ledger, long process, Coordinator client, String path, String value) {
        byte[] data = value.getBytes(StandardCharsets.UTF_8);
        ledger.write(process, path, value, () -> client.exists(path).isPresent()
                ? client.set(path, data) : client.create(path, data, CreateMode.PERSISTENT).stat());
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private void say(String line) {
        System.out.printf("[%6.2fs] %s%n", (System.nanoTime() - startNanos) / 1e9, line);
        System.out.flush();
    }
}

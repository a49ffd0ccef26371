package io.coordinator.jepsen.bench;

import io.coordinator.jepsen.baseline.EtcdCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The benchmark driver: writes (set), linearizable reads and local reads of random keys, with a
 * fixed number of requests outstanding, against 3-member clusters of separate processes that it
 * starts on this host: Coordinator, then ZooKeeper, then etcd, one after another, each stopped and
 * deleted before the next starts. Prints throughput, exact latency percentiles and how many
 * requests took over one second (in a healthy cluster: none) per run, then Coordinator's numbers
 * as ratios of each peer's.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure write and read throughput and latency of Coordinator, ZooKeeper and etcd.")
public final class Bench implements Callable<Integer> {
    static final List<String> SYSTEMS = List.of("coordinator", "zookeeper", "etcd");
    private static final int MEMBERS = Clusters.MEMBERS;
    private static final Duration LEADER_WAIT = Clusters.LEADER_WAIT;

    @Spec
    CommandSpec spec;

    @Option(names = "--systems", split = ",",
            description = "Systems to measure, in this order (default: coordinator,zookeeper,etcd; etcd only if installed)")
    List<String> systems;

    @Option(names = "--endpoints", description = "Measure a running Coordinator cluster instead of starting one")
    String endpoints;

    @Option(names = "--connect", defaultValue = "leader",
            description = "Member the client talks to: leader or follower (default ${DEFAULT-VALUE})")
    String connect;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per run (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "3", description = "Unmeasured seconds before each run (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,64",
            description = "Requests outstanding, one run per value (default ${DEFAULT-VALUE})")
    List<Integer> concurrency;

    @Option(names = "--value-bytes", defaultValue = "100", description = "Size of each written value (default ${DEFAULT-VALUE})")
    int valueBytes;

    @Option(names = "--keys", defaultValue = "1000", description = "Distinct keys (default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--json", description = "Also write every result to this file, as JSON")
    Path json;

    @Option(names = "--markdown", description = "Print the tables as Markdown")
    boolean markdown;

    /** A started system: the client the driver uses, and a line saying what runs where. */
    private record Launched(BenchTarget target, String description) {
    }

    @Override
    public Integer call() throws Exception {
        List<String> chosen = chosenSystems();
        if (!connect.equals("leader") && !connect.equals("follower")) {
            throw new ParameterException(spec.commandLine(), "--connect must be leader or follower, not " + connect);
        }
        byte[] value = new byte[valueBytes];
        ThreadLocalRandom.current().nextBytes(value);
        List<String> keyPaths = keyPaths(keys);
        double loadAtStart = loadAverage();
        System.out.printf("bench: %d-member clusters on 127.0.0.1, one system at a time; %d-byte values on %d keys; "
                        + "%d s per run after %d s of warm-up; client on the %s; %d cores, load average %.2f%n",
                MEMBERS, valueBytes, keys, seconds, warmupSeconds, connect,
                Runtime.getRuntime().availableProcessors(), loadAtStart);

        List<Report.SystemRuns> results = new ArrayList<>();
        for (String system : chosen) {
            results.add(measureSystem(system, keyPaths, value));
        }
        Optional<Report.SystemRuns> base = results.stream()
                .filter(r -> r.system().equals("coordinator") && !r.runs().isEmpty()).findFirst();
        List<Report.Comparison> comparisons = base.map(b -> Report.compare(b, results)).orElse(List.of());
        if (!comparisons.isEmpty()) {
            System.out.println();
            System.out.println("Coordinator / peer (ops/s above 1x, latency below 1x favour Coordinator):");
            print(Report.comparisonTable(base.get(), comparisons));
        }
        if (json != null) {
            Report.Settings settings = new Report.Settings(
                    "coordinator " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                    Runtime.getRuntime().availableProcessors(), loadAtStart, loadAverage(), seconds, warmupSeconds,
                    concurrency, valueBytes, keys, connect);
            Files.writeString(json, Report.json(settings, results, comparisons) + "\n", StandardCharsets.UTF_8);
            System.out.println("results written to " + json);
        }
        return results.stream().anyMatch(r -> r.status() == Report.Status.FAILED) ? 1 : 0;
    }

    private List<String> chosenSystems() {
        if (systems == null || systems.isEmpty()) {
            return SYSTEMS;
        }
        for (String system : systems) {
            if (!SYSTEMS.contains(system)) {
                throw new ParameterException(spec.commandLine(), "unknown system '" + system + "'; known: " + SYSTEMS);
            }
        }
        return systems.stream().distinct().toList();
    }

    static List<String> keyPaths(int count) {
        List<String> paths = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            paths.add(String.format("/bench/k%06d", k));
        }
        return paths;
    }

    /** Starts the system, measures every op at every concurrency, stops it and removes its data. */
    private Report.SystemRuns measureSystem(String system, List<String> keyPaths, byte[] value) {
        System.out.println();
        Optional<Path> etcd = EtcdCluster.findBinary();
        if (system.equals("etcd") && etcd.isEmpty()) {
            System.out.println("etcd: skipped (install etcd-server)");
            return Report.SystemRuns.skipped(system, "no etcd binary on PATH or in /usr/bin (install etcd-server)");
        }
        List<Report.Run> runs = new ArrayList<>();
        String description = "";
        try (Cleanup cleanup = new Cleanup()) {
            Launched launched = switch (system) {
                case "coordinator" -> launchCoordinator(cleanup);
                case "zookeeper" -> launchZooKeeper(cleanup);
                case "etcd" -> launchEtcd(etcd.orElseThrow(), cleanup);
                default -> throw new IllegalArgumentException(system);
            };
            description = launched.description();
            System.out.println(system + ": " + description);
            launched.target().prepare(keyPaths, value);
            LoadLoop loop = new LoadLoop(launched.target(), keyPaths, value);
            for (int outstanding : concurrency) {
                for (Op op : Op.values()) {
                    System.err.printf("  %s: %s at %d outstanding ...%n", system, op.label, outstanding);
                    loop.run(op, outstanding, warmupSeconds, null);
                    LatencyRecorder recorder = new LatencyRecorder();
                    LoadLoop.Outcome outcome = loop.run(op, outstanding, seconds, recorder);
                    if (outcome.failures() > 0) {
                        System.out.printf("  (%s %s at %d: %d failed requests, first: %s)%n", system, op.label,
                                outstanding, outcome.failures(), outcome.firstFailure());
                    }
                    runs.add(new Report.Run(op, outstanding, recorder.summarize(outcome.elapsedSeconds()),
                            outcome.failures()));
                }
            }
            Report.SystemRuns result = new Report.SystemRuns(system, Report.Status.MEASURED, description, runs);
            print(Report.runTable(result));
            return result;
        } catch (Exception e) {
            System.out.println(system + ": failed: " + e);
            return Report.SystemRuns.failed(system, (description.isEmpty() ? "" : description + "; ") + e, runs);
        }
    }

    private Launched launchCoordinator(Cleanup cleanup) throws Exception {
        if (endpoints != null) {
            return new Launched(cleanup.add(new CoordinatorTarget(endpoints)), "running cluster at " + endpoints);
        }
        Clusters.Started started = Clusters.coordinator(cleanup, connect.equals("leader"));
        return new Launched(cleanup.add(new CoordinatorTarget(started.endpoint())), started.description());
    }

    private Launched launchZooKeeper(Cleanup cleanup) throws Exception {
        Clusters.Started started = Clusters.zooKeeper(cleanup, connect.equals("leader"));
        return new Launched(cleanup.add(ZooKeeperTarget.connect(started.endpoint(), LEADER_WAIT)), started.description());
    }

    private Launched launchEtcd(Path binary, Cleanup cleanup) throws Exception {
        Path dir = cleanup.deleteLater(Files.createTempDirectory("bench-etcd"));
        EtcdCluster cluster = cleanup.add(EtcdCluster.start(binary, dir, MEMBERS));
        EtcdCluster.Member leader = cluster.awaitLeader(LEADER_WAIT);
        EtcdCluster.Member member = connect.equals("leader") ? leader
                : cluster.members().stream().filter(m -> !m.name().equals(leader.name())).findFirst().orElseThrow();
        EtcdTarget target = cleanup.add(new EtcdTarget(member.clientUrl()));
        return new Launched(target, MEMBERS + " etcd processes (" + EtcdCluster.version(binary) + ", " + binary
                + "), HTTP/JSON gateway client on " + Clusters.role(member.name(), leader.name()) + " " + member.name() + " "
                + member.clientUrl());
    }

    /** The 1-minute load average: other work on the host skews every number, so it goes with them. */
    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private void print(Report.Table table) {
        System.out.print(markdown ? table.markdown() : table.text());
    }
}

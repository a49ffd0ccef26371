package io.coordinator.jepsen.bench;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.core.api.CreateMode;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark driver: writes (set) and linearizable reads (get) of random keys, with a fixed
 * number of requests outstanding, against a 3-member cluster of separate processes that it starts
 * (or against {@code --endpoints}). Prints throughput and exact latency percentiles per run, and how
 * many requests took over one second, which in a healthy cluster must be none.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure write and read throughput and latency at several concurrency levels.")
public final class Bench implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--endpoints", description = "Use a running cluster instead of starting three member processes")
    String endpoints;

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

    @Override
    public Integer call() throws Exception {
        if (endpoints != null) {
            return run(endpoints);
        }
        Path dir = Files.createTempDirectory("coordinator-bench");
        try (ProcessCluster cluster = ProcessCluster.start(dir, 3, ProcessCluster.freeBasePort(3))) {
            new ClusterView(cluster).awaitLeader(Duration.ofSeconds(60));
            System.out.println("cluster: 3 member processes on " + cluster.endpoints());
            return run(cluster.endpoints());
        } finally {
            ProcessCluster.deleteRecursively(dir);
        }
    }

    private int run(String targets) throws InterruptedException {
        ClientConfig config = ClientConfig.builder().endpoints(targets).requestTimeoutMillis(30_000)
                .pendingRequestsMax(1024).build();
        try (Coordinator client = Coordinator.connect(config)) {
            byte[] value = new byte[valueBytes];
            ThreadLocalRandom.current().nextBytes(value);
            prepare(client, value);
            System.out.printf("%-6s %5s %10s %9s %9s %9s %9s %8s%n",
                    "op", "conc", "ops/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", ">1s");
            for (int outstanding : concurrency) {
                for (String op : List.of("write", "read")) {
                    measure(client, op, outstanding, value, warmupSeconds, null);
                    LatencyRecorder recorder = new LatencyRecorder();
                    double elapsed = measure(client, op, outstanding, value, seconds, recorder);
                    LatencyRecorder.Summary s = recorder.summarize(elapsed);
                    System.out.printf("%-6s %5d %10.0f %9.2f %9.2f %9.2f %9.2f %8d%n", op, outstanding,
                            s.throughput(), s.p50(), s.p99(), s.p999(), s.max(), s.overOneSecond());
                }
            }
        }
        return 0;
    }

    private void prepare(Coordinator client, byte[] value) {
        if (client.exists("/bench").isEmpty()) {
            client.create("/bench", new byte[0], CreateMode.PERSISTENT);
        }
        List<CompletableFuture<?>> creates = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String path = key(k);
            creates.add(client.async().exists(path).thenCompose(stat -> stat.isPresent()
                    ? CompletableFuture.completedFuture(null)
                    : client.async().create(path, value, CreateMode.PERSISTENT)));
            if (creates.size() == 256) {
                creates.forEach(CompletableFuture::join);
                creates.clear();
            }
        }
        creates.forEach(CompletableFuture::join);
    }

    /** Runs {@code outstanding} request loops for {@code runSeconds}; returns the elapsed seconds. */
    private double measure(Coordinator client, String op, int outstanding, byte[] value, int runSeconds,
                           LatencyRecorder recorder) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(runSeconds);
        CountDownLatch done = new CountDownLatch(outstanding);
        AtomicLong failures = new AtomicLong();
        for (int i = 0; i < outstanding; i++) {
            issue(client, op, value, end, recorder, done, failures);
        }
        if (!done.await(runSeconds + 60L, TimeUnit.SECONDS)) {
            throw new IllegalStateException("requests still outstanding a minute after the run ended");
        }
        if (failures.get() > 0) {
            System.out.printf("  (%d failed requests in this run)%n", failures.get());
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private void issue(Coordinator client, String op, byte[] value, long end, LatencyRecorder recorder,
                       CountDownLatch done, AtomicLong failures) {
        long sent = System.nanoTime();
        if (sent >= end) {
            done.countDown();
            return;
        }
        String path = key(ThreadLocalRandom.current().nextInt(keys));
        CompletableFuture<?> call = op.equals("write")
                ? client.async().set(path, value, -1)
                : client.async().get(path);
        call.whenComplete((result, failure) -> {
            if (failure != null) {
                failures.incrementAndGet();
            } else if (recorder != null) {
                recorder.record(System.nanoTime() - sent);
            }
            issue(client, op, value, end, recorder, done, failures);
        });
    }

    private static String key(int k) {
        return String.format("/bench/k%06d", k);
    }
}

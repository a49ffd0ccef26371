package io.coordinator.jepsen.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Latency of the recipes people come for, Coordinator against Curator on ZooKeeper, in one run on
 * this host: an uncontended lock+unlock, and a leader handover (the leader resigns; the time until
 * the waiting candidate knows it leads). Each system is a 3-member cluster of separate processes,
 * started, measured with its client on the leader, and removed before the next starts. Prints each
 * system's percentiles, then Coordinator's as ratios of ZooKeeper's (below 1x favours Coordinator).
 */
@Command(name = "bench-recipes", mixinStandardHelpOptions = true,
        description = "Measure lock+unlock and leader handover latency: Coordinator's recipes against Curator on ZooKeeper.")
public final class RecipeBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--locks", defaultValue = "500", description = "Measured lock+unlock pairs (default ${DEFAULT-VALUE})")
    int locks;

    @Option(names = "--handovers", defaultValue = "100", description = "Measured handovers (default ${DEFAULT-VALUE})")
    int handovers;

    @Option(names = "--warmup", defaultValue = "50", description = "Unmeasured rounds of each before measuring (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--markdown", description = "Print the tables as Markdown")
    boolean markdown;

    /** One system's latencies, in milliseconds. */
    record Measured(String system, String description, LatencyRecorder.Summary lock, LatencyRecorder.Summary handover) {
    }

    @Override
    public Integer call() throws Exception {
        if (locks < 1 || handovers < 1 || warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--locks and --handovers must be at least 1, --warmup at least 0");
        }
        out().printf("bench-recipes: 3-member clusters on 127.0.0.1, one system at a time, client on the leader; "
                + "%d lock+unlock and %d handovers after %d warm-up rounds of each; %d cores%n",
                locks, handovers, warmup, Runtime.getRuntime().availableProcessors());
        List<Measured> results = new ArrayList<>();
        results.add(measure("coordinator"));
        results.add(measure("zookeeper"));
        out().println();
        header("system", "op", "p50 ms", "p99 ms", "max ms", "ops");
        for (Measured m : results) {
            print(m.system(), "lock+unlock", m.lock());
            print(m.system(), "handover", m.handover());
        }
        Measured ours = results.get(0);
        Measured theirs = results.get(1);
        out().println();
        out().println("Coordinator / ZooKeeper+Curator (below 1x favours Coordinator):");
        header("op", "p50", "p99", "", "", "");
        ratio("lock+unlock", ours.lock(), theirs.lock());
        ratio("handover", ours.handover(), theirs.handover());
        return 0;
    }

    private Measured measure(String system) throws Exception {
        try (Cleanup cleanup = new Cleanup()) {
            boolean coordinator = system.equals("coordinator");
            Clusters.Started started = coordinator ? Clusters.coordinator(cleanup, true) : Clusters.zooKeeper(cleanup, true);
            RecipeTarget target = cleanup.add(coordinator ? new CoordinatorRecipes(started.endpoint())
                    : new CuratorRecipes(started.endpoint()));
            out().println(system + ": " + started.description() + "; " + target.describe());
            out().flush();
            for (int i = 0; i < warmup; i++) {
                target.lockAndUnlock();
                target.handover();
            }
            LatencyRecorder lock = new LatencyRecorder();
            long begin = System.nanoTime();
            for (int i = 0; i < locks; i++) {
                long start = System.nanoTime();
                target.lockAndUnlock();
                lock.record(System.nanoTime() - start);
            }
            double lockSeconds = (System.nanoTime() - begin) / 1e9;
            LatencyRecorder handover = new LatencyRecorder();
            begin = System.nanoTime();
            for (int i = 0; i < handovers; i++) {
                handover.record(target.handover());
            }
            double handoverSeconds = (System.nanoTime() - begin) / 1e9;
            return new Measured(system, started.description(), lock.summarize(lockSeconds), handover.summarize(handoverSeconds));
        }
    }

    private void print(String system, String op, LatencyRecorder.Summary s) {
        row(system, op, fmt(s.p50()), fmt(s.p99()), fmt(s.max()), Long.toString(s.operations()));
    }

    private void ratio(String op, LatencyRecorder.Summary ours, LatencyRecorder.Summary theirs) {
        row(op, fmt(ours.p50() / theirs.p50()) + "x", fmt(ours.p99() / theirs.p99()) + "x", "", "", "");
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** A row, then in Markdown the line that makes it a table's header. */
    private void header(String... cells) {
        row(cells);
        if (markdown) {
            out().println("|---".repeat(cells.length) + "|");
        }
    }

    private void row(String... cells) {
        if (markdown) {
            out().println("| " + String.join(" | ", cells) + " |");
        } else {
            out().printf("%-12s %-12s %9s %9s %9s %7s%n", (Object[]) cells);
        }
        out().flush();
    }
}

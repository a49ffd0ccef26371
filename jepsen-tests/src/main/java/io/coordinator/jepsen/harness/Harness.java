package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.checker.Check;
import io.coordinator.jepsen.checker.HistoryFormatException;
import io.coordinator.jepsen.cluster.ClockSkew;
import io.coordinator.jepsen.baseline.EtcdEnsemble;
import io.coordinator.jepsen.baseline.ZooKeeperEnsemble;
import io.coordinator.jepsen.cluster.FaultTarget;
import io.coordinator.jepsen.cluster.NetnsNetwork;
import io.coordinator.jepsen.cluster.NetworkFaults;
import io.coordinator.jepsen.cluster.ProcessCluster;
import io.coordinator.jepsen.harness.Nemesis.Fault;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code coordinator harness --workload register [--nemesis ...] [--seconds N] ...}: one Jepsen-style
 * run against three real member processes, each in a network namespace of its own with links cut by
 * iptables when this host allows it (root, iptables), else behind fault proxies; the run says which.
 * It records every client call in
 * {@code history.jsonl}, the faults in {@code timeline.txt}, copies the members' logs, and judges the
 * history with the linearizability checker into {@code verdict.json}; all in one run folder.
 */
@Command(name = "harness", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a workload against 3 (or 5) member processes while a nemesis",
                "injects faults; record the history and check it.",
                "Links are cut with iptables in a network namespace per member when run as",
                "root with iptables, else by fault proxies (-Dcoordinator.faults=proxy",
                "forces them); verdict.json says which.",
                "Workloads:",
                "  register  read, write, cas on independent keys; linearizability",
                "  set       adds, then final reads: nothing acknowledged lost, nothing invented",
                "  lock      a fenced mutex: MutexModel, and the resource never has two holders",
                "  sessions  ephemerals vanish only after their session ended",
                "  watch     watchers on every member agree, in revision order, with no gap",
                "  all       every one at once, each judged in a sub-folder",
                "--system zookeeper|etcd runs register and lock against those, as baselines.",
                "Writes to the run folder: history.jsonl, timeline.txt, verdict.json,",
                "report.html and the members' logs (m1.log ...).",
                "Exit: 0 valid, 1 invalid, 3 unknown, 2 usage error, 4 the run failed."})
public final class Harness implements Callable<Integer> {
    public static final int RUN_FAILED = 4;
    /** The --workload that runs every workload at once, each with its own clients and sub-folder. */
    static final String ALL = "all";
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration FINAL_READS_TIMEOUT = Duration.ofSeconds(60);
    private static final DateTimeFormatter FOLDER_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Spec
    private CommandSpec spec;

    @Option(names = "--system", defaultValue = Workloads.COORDINATOR, paramLabel = "SYSTEM",
            description = "coordinator, or a baseline: zookeeper (3.9, its Java client; Curator for the lock) or etcd "
                    + "(Debian's etcd-server, over its JSON gateway); the baselines run register and lock, in network "
                    + "namespaces only (root). Default: ${DEFAULT-VALUE}.")
    private String system;

    @Option(names = "--workload", required = true, paramLabel = "NAME", description = "register, set, lock, sessions, watch, or all (every one at once, each in a sub-folder).")
    private String workload;

    @Option(names = "--nemesis", defaultValue = "all", paramLabel = "FAULTS",
            description = "Comma-separated: partition (isolate the leader or a member, minority/majority, bridge, "
                    + "one-way drops to or from the leader, majorities ring with 5 members), kill (SIGKILL and restart), "
                    + "pause (SIGSTOP the leader, then SIGCONT), clock (skew a member's wall clock; needs libfaketime: "
                    + "apt-get install faketime), all (clock only where libfaketime is installed), or none. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String nemesis;

    @Option(names = "--members", defaultValue = "3", paramLabel = "N",
            description = "Member processes: 3 or 5 (5 adds the majorities ring and 2|3 splits). Default: ${DEFAULT-VALUE}.")
    private int members;

    @Option(names = "--seconds", defaultValue = "30", paramLabel = "N", description = "How long the workload runs. Default: ${DEFAULT-VALUE}.")
    private int seconds;

    @Option(names = "--clients", defaultValue = "5", paramLabel = "N", description = "Concurrent clients. Default: ${DEFAULT-VALUE}.")
    private int clients;

    @Option(names = "--keys", defaultValue = "5", paramLabel = "N", description = "Independent registers (register only). Default: ${DEFAULT-VALUE}.")
    private int keys;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the clients' operations and the fault schedule. Default: random (printed).")
    private Long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder. Default: harness-runs/<UTC time>-<workload>-<seed>.")
    private Path out;

    @Option(names = "--reads", paramLabel = "CONSISTENCY",
            description = "linearizable, or serializable: local reads that may be stale, allowed by the API "
                    + "but not linearizable; a run with them should be found invalid. Default: serializable for "
                    + "zookeeper (getData without sync, ZooKeeper's own default), linearizable otherwise.")
    private String reads;

    @Option(names = "--time-limit-s", defaultValue = "60", paramLabel = "N",
            description = "Seconds the checker may search; past them the verdict is unknown. Default: ${DEFAULT-VALUE}.")
    private long timeLimitSeconds;

    @Override
    public Integer call() throws Exception {
        if (!Workloads.systems().contains(system)) {
            throw new ParameterException(spec.commandLine(), "unknown --system '" + system + "'; known: "
                    + String.join(", ", Workloads.systems()));
        }
        boolean coordinator = system.equals(Workloads.COORDINATOR);
        if (!Workloads.exists(system, workload) && !(workload.equals(ALL) && coordinator)) {
            throw new ParameterException(spec.commandLine(), (coordinator ? "unknown --workload '" + workload + "'; known: "
                    : "--system " + system + " runs only: ") + String.join(", ", Workloads.names(system))
                    + (coordinator ? ", " + ALL : "; not '" + workload + "'"));
        }
        if (reads == null) {
            reads = system.equals(Workloads.ZOOKEEPER) ? "serializable" : "linearizable";
        }
        Set<Fault> faults;
        try {
            faults = Fault.parse(nemesis);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (faults.contains(Fault.CLOCK) && ClockSkew.unavailableReason().isPresent()) {
            if (java.util.Arrays.stream(nemesis.split(",")).anyMatch(w -> w.trim().equalsIgnoreCase("clock"))) {
                throw new ParameterException(spec.commandLine(), "--nemesis clock: " + ClockSkew.unavailableReason().get());
            }
            faults.remove(Fault.CLOCK);
            spec.commandLine().getOut().println("harness: no clock faults: " + ClockSkew.unavailableReason().get());
        }
        if (members != 3 && members != 5) {
            throw new ParameterException(spec.commandLine(), "--members must be 3 or 5, not " + members);
        }
        if (!reads.equals("linearizable") && !reads.equals("serializable")) {
            throw new ParameterException(spec.commandLine(), "unknown --reads '" + reads + "'; known: linearizable, serializable");
        }
        if (seconds <= 0 || clients <= 0 || keys <= 0 || timeLimitSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--seconds, --clients, --keys and --time-limit-s must be positive");
        }
        if (!coordinator && NetnsNetwork.unavailableReason().isPresent()) {
            // The baselines have no fault-proxy fallback: their members would need proxy-aware configs.
            spec.commandLine().getErr().println("harness: --system " + system + " runs its members in network namespaces, "
                    + "and this host has none: " + NetnsNetwork.unavailableReason().get() + " (run as root with iproute2 and iptables)");
            spec.commandLine().getErr().flush();
            return RUN_FAILED;
        }
        long runSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        try {
            return run(faults, runSeed);
        } catch (IOException e) {
            spec.commandLine().getErr().println("harness: " + e);
            spec.commandLine().getErr().flush();
            return RUN_FAILED;
        }
    }

    private int run(Set<Fault> faults, long runSeed) throws IOException {
        Instant started = Instant.now();
        Path folder = out != null ? out : Path.of("harness-runs", FOLDER_TIME.format(started) + "-" + workload + "-" + runSeed);
        PrintWriter console = spec.commandLine().getOut();
        String replay = replayCommand(faults, runSeed);
        console.println("harness: " + system + " " + workload + ", nemesis " + words(faults) + ", " + members + " members, " + seconds + " s, "
                + clients + " clients" + (workload.equals(ALL) ? " per workload" : "") + ", " + keys + " keys, " + reads
                + " reads (" + Workloads.readsMeaning(system, linearizableReads()) + "), seed " + runSeed + "; run folder " + folder.toAbsolutePath());
        console.flush();
        Files.createDirectories(folder);
        Run run = new Run(folder, faults, runSeed, started.toEpochMilli());
        Thread interrupted = new Thread(run::interrupted, "harness-interrupted");
        Runtime.getRuntime().addShutdownHook(interrupted);
        try {
            run.execute();
        } catch (Exception e) {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            Files.writeString(folder.resolve("error.txt"), trace.toString());
            spec.commandLine().getErr().println("harness: the run failed: " + e);
            spec.commandLine().getErr().println("  seed " + runSeed + "; replay: " + replay + "; what there is (error.txt, logs) is in "
                    + folder);
            spec.commandLine().getErr().flush();
            return RUN_FAILED;
        } finally {
            run.cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            } catch (IllegalStateException exiting) {
                // the hook runs or ran
            }
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("system", system);
        facts.put("workload", workload);
        facts.put("nemesis", words(faults));
        facts.put("seconds", seconds);
        facts.put("members", members);
        facts.put("clients", clients);
        facts.put("keys", keys);
        facts.put("reads", reads);
        facts.put("readsAre", Workloads.readsMeaning(system, linearizableReads()));
        facts.put("seed", runSeed);
        facts.put("replay", replay);
        facts.put("startedAt", started.toString());
        facts.put("faultBackend", run.faultBackend());
        facts.put("faultsHealed", run.faultsHealed());
        facts.put("finalReadsComplete", run.finalReadsComplete());
        io.coordinator.jepsen.checker.Verdict overall = io.coordinator.jepsen.checker.Verdict.VALID;
        Map<String, RunVerdict.Result> results = new LinkedHashMap<>();
        for (Part part : run.parts()) {
            RunVerdict.Result result;
            try {
                result = part.load().judge(part.history(), Duration.ofSeconds(timeLimitSeconds));
            } catch (HistoryFormatException e) {
                spec.commandLine().getErr().println("harness: the recorded history of " + part.name() + " does not parse: " + e.getMessage());
                return RUN_FAILED;
            }
            results.put(part.name(), result);
            overall = overall.and(result.verdict());
            Map<String, Object> partFacts = new LinkedHashMap<>(facts);
            partFacts.put("workload", part.name());
            partFacts.put("completions", new java.util.TreeMap<>(part.recorder().completions()));
            RunVerdict.write(part.folder().resolve("verdict.json"), result, partFacts);
            if (!part.folder().equals(folder)) {
                copy(folder.resolve("timeline.txt"), part.folder().resolve("timeline.txt")); // the report's fault bands
            }
            try {
                HtmlReport.write(part.folder());
            } catch (IOException | RuntimeException e) {
                spec.commandLine().getErr().println("harness: cannot write " + part.folder().resolve("report.html") + ": " + e);
            }
            List<String> lines = RunVerdict.describe(result);
            console.println(part.folder() + ": " + lines.get(0) + (workload.equals(ALL) ? ""
                    : "; " + run.faultsHealed() + " faults healed; links cut by " + run.faultBackend()));
            lines.subList(1, lines.size()).forEach(console::println);
        }
        if (workload.equals(ALL)) {
            CombinedVerdict.write(folder, overall, results, facts);
            console.println(folder + ": " + overall.word() + " over " + results.size() + " workloads; " + run.faultsHealed()
                    + " faults healed; links cut by " + run.faultBackend());
        }
        if (!run.finalReadsComplete()) {
            console.println("  warning: not every client finished its final reads after the heal within " + FINAL_READS_TIMEOUT.toSeconds()
                    + " s; a lost write may hide behind the end of the history (see the member logs)");
        }
        if (overall != io.coordinator.jepsen.checker.Verdict.VALID) {
            console.println("  seed " + runSeed + "; replay the same schedule: " + replay);
        }
        console.flush();
        return switch (overall) {
            case VALID -> Check.VALID;
            case INVALID -> Check.INVALID;
            case UNKNOWN -> Check.UNKNOWN;
        };
    }

    private void copy(Path from, Path to) {
        try {
            if (Files.exists(from)) {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("harness: cannot copy " + from + ": " + e);
        }
    }

    /** One workload of a run: its clients, its recorder and the folder of its files. */
    private record Part(String name, Path folder, HistoryRecorder recorder, Workload load) {
        Path history() {
            return folder.resolve("history.jsonl");
        }
    }

    private String replayCommand(Set<Fault> faults, long runSeed) {
        return "bin/coordinator harness --system " + system + " --workload " + workload + " --nemesis " + words(faults)
                + (members == 3 ? "" : " --members " + members) + " --seconds " + seconds
                + " --clients " + clients + " --keys " + keys + " --seed " + runSeed + " --time-limit-s " + timeLimitSeconds
                + " --reads " + reads;
    }

    private boolean linearizableReads() {
        return reads.equals("linearizable");
    }

    /** The members of {@code --system}, with links that can be cut; for Coordinator, proxies where namespaces are missing. */
    private FaultTarget startCluster(Path data, boolean skewableClocks) throws IOException {
        return switch (system) {
            case Workloads.ZOOKEEPER -> ZooKeeperEnsemble.start(data, members, skewableClocks);
            case Workloads.ETCD -> EtcdEnsemble.start(data, members, skewableClocks);
            default -> ProcessCluster.startPartitionable(data, members, skewableClocks);
        };
    }

    private static String words(Set<Fault> faults) {
        return faults.isEmpty() ? "none" : String.join(",", faults.stream().map(Fault::word).toList());
    }

    /** One run's cluster, workload and nemesis, and the files they leave. */
    private final class Run {
        private final Path folder;
        private final Path data;
        private final Set<Fault> faults;
        private final long seed;
        private final long startMillis;
        private volatile FaultTarget cluster;
        private final List<Part> parts = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile Nemesis nemesisThread;
        private volatile boolean finalReadsComplete;
        private volatile String faultBackend = "none (no cluster started)";
        private volatile boolean cleanedUp;
        /** The run's own steps, merged into the timeline with the faults. */
        private final List<Nemesis.Event> phases = new java.util.concurrent.CopyOnWriteArrayList<>();

        Run(Path folder, Set<Fault> faults, long seed, long startMillis) {
            this.folder = folder;
            this.data = folder.resolve("data");
            this.faults = faults;
            this.seed = seed;
            this.startMillis = startMillis;
        }

        List<Part> parts() {
            return List.copyOf(parts);
        }

        long sinceStart() {
            return System.currentTimeMillis() - startMillis;
        }

        void execute() throws Exception {
            cluster = startCluster(data, faults.contains(Fault.CLOCK));
            faultBackend = cluster.faultBackend();
            PrintWriter console = spec.commandLine().getOut();
            console.println("harness: links cut by " + faultBackend);
            console.flush();
            phase("links cut by " + faultBackend);
            phase("cluster up, leader " + cluster.awaitLeader(LEADER_TIMEOUT));
            List<String> endpoints = cluster.memberIds().stream().map(cluster::endpoint).toList();
            long nanosAtStart = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(sinceStart());
            Workloads.Options options = new Workloads.Options(clients, keys, seed, linearizableReads());
            for (String name : workload.equals(ALL) ? Workloads.names(system) : List.of(workload)) {
                Path partFolder = workload.equals(ALL) ? folder.resolve(name) : folder;
                Files.createDirectories(partFolder);
                BufferedWriter writer = Files.newBufferedWriter(partFolder.resolve("history.jsonl"), StandardCharsets.UTF_8);
                HistoryRecorder recorder = new HistoryRecorder(writer, () -> System.nanoTime() - nanosAtStart);
                Part part = new Part(name, partFolder, recorder, Workloads.create(system, name, endpoints, options, recorder));
                parts.add(part);
                part.load().setUp(LEADER_TIMEOUT);
            }
            if (!faults.isEmpty()) {
                // The seed of the schedule differs from the clients' so that changing --clients keeps the faults.
                nemesisThread = new Nemesis(cluster, faults, seed ^ 0x5DEECE66DL, Duration.ofSeconds(1), Duration.ofSeconds(3),
                        Duration.ofSeconds(2), Duration.ofSeconds(5), this::sinceStart);
                nemesisThread.start();
            }
            phase("workload starts");
            parts.forEach(part -> part.load().start());
            TimeUnit.SECONDS.sleep(seconds);
            if (nemesisThread != null) {
                nemesisThread.close(); // stops the schedule and heals: partitions, paused and killed members
            }
            for (Part part : parts) {
                part.load().stop();
            }
            phase("workload stopped, every fault healed");
            for (String id : cluster.memberIds()) {
                if (!cluster.isRunning(id)) {
                    throw new IllegalStateException("member " + id + " is not running after the heal");
                }
            }
            cluster.awaitLeader(LEADER_TIMEOUT);
            phase("final reads start");
            boolean complete = true;
            for (Part part : parts) {
                complete &= part.load().finalReads(FINAL_READS_TIMEOUT);
            }
            finalReadsComplete = complete;
            phase(finalReadsComplete ? "final reads done" : "final reads incomplete after " + FINAL_READS_TIMEOUT.toSeconds() + " s");
        }

        private void phase(String what) {
            phases.add(new Nemesis.Event(sinceStart(), "-- " + what));
        }

        /** Stops everything, writes the timeline, keeps the members' logs and drops their data. */
        synchronized void cleanUp() {
            if (cleanedUp) {
                return;
            }
            cleanedUp = true;
            // The nemesis first: closing the clients can take seconds (their sessions end on members
            // that may be gone), and no fault may start meanwhile.
            if (nemesisThread != null) {
                try {
                    nemesisThread.close();
                } catch (InterruptedException | RuntimeException e) {
                    spec.commandLine().getErr().println("harness: healing at the end: " + e);
                }
            }
            parts.forEach(part -> part.load().close());
            parts.forEach(part -> part.recorder().close());
            writeTimeline();
            if (cluster != null) {
                cluster.close();
                for (String id : cluster.memberIds()) {
                    copyLog(id);
                }
                ProcessCluster.deleteRecursively(data);
            }
        }

        /** The shutdown hook (Ctrl-C): heal, keep what was recorded, and say where it is. */
        void interrupted() {
            System.err.println("harness: interrupted; the partial run (history, timeline, logs) is in " + folder
                    + "; seed " + seed);
            parts.forEach(part -> part.recorder().flush());
            cleanUp();
        }

        private void writeTimeline() {
            List<String> lines = new ArrayList<>();
            lines.add("# faults, seconds since the run began (" + Instant.ofEpochMilli(startMillis) + "); nemesis " + words(faults)
                    + ", seed " + seed);
            List<Nemesis.Event> events = new ArrayList<>(phases);
            if (nemesisThread != null) {
                events.addAll(nemesisThread.timeline());
            }
            events.sort(java.util.Comparator.comparingLong(Nemesis.Event::atMillis));
            events.forEach(e -> lines.add(e.toString()));
            if (cluster != null && !cluster.faultBackend().equals("none")) {
                lines.add("# the link changes as " + cluster.faultBackend() + " made them");
                for (NetworkFaults.FaultEvent event : cluster.faults().timeline()) {
                    lines.add(new Nemesis.Event(event.at().toEpochMilli() - startMillis, event.description()).toString());
                }
            }
            try {
                Files.write(folder.resolve("timeline.txt"), lines, StandardCharsets.UTF_8);
            } catch (IOException e) {
                spec.commandLine().getErr().println("harness: cannot write the timeline: " + e);
            }
        }

        private void copyLog(String id) {
            Path log = cluster.logFile(id);
            try {
                if (Files.exists(log)) {
                    Files.copy(log, folder.resolve(id + ".log"), StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                spec.commandLine().getErr().println("harness: cannot copy " + log + ": " + e);
            }
        }

        String faultBackend() {
            return faultBackend;
        }

        long faultsHealed() {
            return nemesisThread == null ? 0 : nemesisThread.healed();
        }

        boolean finalReadsComplete() {
            return finalReadsComplete;
        }
    }
}

package io.coordinator.jepsen.cluster;

import io.coordinator.server.cli.ServerMain;
import io.coordinator.server.config.ConfigLoader;
import io.coordinator.server.config.LocalClusterLayout;
import io.coordinator.server.config.MemberAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of real member processes on one host, each a separate JVM with its own data directory
 * and log file, that can be killed with SIGKILL, stopped and restarted. Closing it kills whatever is
 * still running, and so does the JVM's exit.
 *
 * <p>Started with {@link #startWithProxies}, every member reaches every other member's raft port
 * through a {@link FaultProxy} of its own, so that {@link #partitions()} can cut links: each
 * member's config lists its own real raft port (the one it binds) and, for each peer, the port of
 * the proxy for (self, peer). Client ports are never proxied.
 *
 * <p>Started with {@link #startPartitionable}, members run in network namespaces of their own on a
 * bridge ({@link NetnsNetwork}) and {@link #faults()} cuts links with iptables ({@link IptablesFaults})
 * when this host allows it (root, iproute2, iptables); otherwise it falls back to the proxies, and
 * {@link #faultBackend()} says which and why.
 */
public final class ProcessCluster implements FaultTarget {
    private static final Logger log = LoggerFactory.getLogger(ProcessCluster.class);
    private static final List<String> JVM_OPENS = List.of(
            "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");

    private final Path dataDir;
    private final List<MemberAddress> members;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Thread exitHook = new Thread(this::exit, "process-cluster-exit");
    /** Null when members talk to each other directly or through namespaces. */
    private volatile Partitions partitions;
    /** Null unless members run in network namespaces. */
    private volatile NetnsNetwork netns;
    /** Null when links cannot be cut. */
    private volatile NetworkFaults faults;
    private volatile String faultBackend = "none";
    /** Null unless members were started with skewable clocks. */
    private volatile ClockSkew clocks;
    /** The members' classpath: this JVM's, with private copies of whatever a build may overwrite. */
    private String memberClasspath;

    private ProcessCluster(Path dataDir, List<MemberAddress> members) {
        this.dataDir = dataDir;
        this.members = members;
    }

    /** Starts {@code count} members on 127.0.0.1, on ports from {@code basePort} (see LocalClusterLayout). */
    public static ProcessCluster start(Path dataDir, int count, int basePort) throws IOException {
        return start(dataDir, count, basePort, false);
    }

    /**
     * Like {@link #start}, with a {@link FaultProxy} on every directed peer link (on free ports of
     * 127.0.0.1 outside the members' ports), all passing traffic until {@link #partitions()} says
     * otherwise.
     */
    public static ProcessCluster startWithProxies(Path dataDir, int count, int basePort) throws IOException {
        return start(dataDir, count, basePort, true);
    }

    private static ProcessCluster start(Path dataDir, int count, int basePort, boolean proxies) throws IOException {
        return start(dataDir, count, basePort, proxies, null);
    }

    private static ProcessCluster start(Path dataDir, int count, int basePort, boolean proxies, ClockSkew clocks) throws IOException {
        ProcessCluster cluster = new ProcessCluster(dataDir, LocalClusterLayout.members("127.0.0.1", basePort, count));
        cluster.clocks = clocks;
        Runtime.getRuntime().addShutdownHook(cluster.exitHook);
        try {
            Files.createDirectories(dataDir);
            cluster.memberClasspath = PrivateClasspath.of(dataDir.resolve("classpath"));
            if (proxies) {
                cluster.partitions = Partitions.start(cluster.members, cluster.memberPorts(), Clock.systemUTC());
                cluster.faults = cluster.partitions;
                cluster.faultBackend = "proxy: requested";
            }
            cluster.startAll();
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * {@code count} members whose peer links {@link #faults()} can cut: each in a network namespace
     * of its own, cut with iptables, when {@link NetnsNetwork#unavailableReason() this host allows it};
     * otherwise on loopback behind fault proxies, as {@link #startWithProxies}. First removes what dead
     * runs left behind. {@code -Dcoordinator.faults=proxy} asks for the proxies anyway.
     */
    public static ProcessCluster startPartitionable(Path dataDir, int count) throws IOException {
        return startPartitionable(dataDir, count, false);
    }

    /**
     * As {@link #startPartitionable(Path, int)}; with {@code skewableClocks}, every member runs with
     * libfaketime preloaded so that {@link #clocks()} can skew its wall clock.
     *
     * @throws IllegalStateException when skewable clocks are asked for and libfaketime is missing
     */
    public static ProcessCluster startPartitionable(Path dataDir, int count, boolean skewableClocks) throws IOException {
        ClockSkew clocks = skewableClocks ? ClockSkew.in(dataDir.resolve("clocks")) : null;
        String fallback;
        if ("proxy".equals(System.getProperty("coordinator.faults"))) {
            fallback = "requested with -Dcoordinator.faults=proxy";
        } else {
            fallback = NetnsNetwork.unavailableReason().map(why -> "network namespaces unavailable: " + why).orElse(null);
        }
        if (fallback == null) {
            NetnsNetwork.cleanupLeftovers();
            try {
                return startInNamespaces(dataDir, count, clocks);
            } catch (RuntimeException e) {
                fallback = "network namespace setup failed: " + e.getMessage();
                log.warn("fault backend: {}; falling back to fault proxies", fallback, e);
            }
        }
        ProcessCluster cluster = start(dataDir, count, freeBasePort(count), true, clocks);
        cluster.faultBackend = "proxy: " + fallback;
        log.info("fault backend: {}", cluster.faultBackend);
        return cluster;
    }

    private static ProcessCluster startInNamespaces(Path dataDir, int count, ClockSkew clocks) throws IOException {
        List<String> ids = LocalClusterLayout.members("127.0.0.1", 20_000, count).stream().map(MemberAddress::id).toList();
        NetnsNetwork network = NetnsNetwork.create(ids);
        // Each member has a network stack of its own, so every member can use the same ports.
        List<MemberAddress> members = LocalClusterLayout.members("127.0.0.1", 20_000, count).stream()
                .map(m -> new MemberAddress(m.id(), network.address(m.id()), m.clientPort(), m.raftPort(), m.httpPort()))
                .toList();
        ProcessCluster cluster = new ProcessCluster(dataDir, members);
        cluster.netns = network;
        cluster.clocks = clocks;
        cluster.faults = new IptablesFaults(network, Clock.systemUTC());
        cluster.faultBackend = NetnsNetwork.BACKEND;
        Runtime.getRuntime().addShutdownHook(cluster.exitHook);
        try {
            Files.createDirectories(dataDir);
            cluster.memberClasspath = PrivateClasspath.of(dataDir.resolve("classpath"));
            cluster.startAll();
            log.info("fault backend: {} (run {}, bridge {})", cluster.faultBackend, network.runId(), network.bridgeName());
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll() throws IOException {
        for (MemberAddress member : members) {
            writeConfig(member);
            startMember(member.id());
        }
    }

    /** A base port whose client, raft and HTTP ports for {@code count} members are all free right now. */
    public static int freeBasePort(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20_000 + ThreadLocalRandom.current().nextInt(0, 400) * 100;
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("found no free port range for " + count + " members");
    }

    /** True when the client, raft and HTTP ports of {@code count} members from {@code base} are free. */
    public static boolean isFree(int base, int count) {
        return allFree(base, count);
    }

    /** Removes a directory tree; a best effort used for temporary data. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("could not remove {}", dir, e);
        }
    }

    private static boolean allFree(int base, int count) {
        for (MemberAddress member : LocalClusterLayout.members("127.0.0.1", base, count)) {
            for (int port : new int[]{member.clientPort(), member.raftPort(), member.httpPort()}) {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(new InetSocketAddress("127.0.0.1", port));
                } catch (IOException e) {
                    return false;
                }
            }
        }
        return true;
    }

    private void writeConfig(MemberAddress member) throws IOException {
        String yaml = ConfigLoader.toYaml(LocalClusterLayout.memberConfig(membersAsSeenBy(member.id()), member.id(), dataDir));
        Files.writeString(configFile(member.id()), yaml);
    }

    /** The member list in {@code self}'s config: with proxies, each peer's raft port is self's proxy to it. */
    private List<MemberAddress> membersAsSeenBy(String self) {
        if (partitions == null) {
            return members;
        }
        return members.stream().map(m -> m.id().equals(self) ? m
                : new MemberAddress(m.id(), m.host(), m.clientPort(), partitions.proxyPort(self, m.id()), m.httpPort()))
                .toList();
    }

    private List<Integer> memberPorts() {
        List<Integer> ports = new ArrayList<>();
        for (MemberAddress member : members) {
            ports.addAll(List.of(member.clientPort(), member.raftPort(), member.httpPort()));
        }
        return ports;
    }

    /** The proxies' network nemesis; only for a cluster with {@link #hasProxies() proxies}. */
    public Partitions partitions() {
        if (partitions == null) {
            throw new IllegalStateException("this cluster has no fault proxies (" + faultBackend
                    + "); use faults(), or startWithProxies");
        }
        return partitions;
    }

    @Override
    public String system() {
        return "coordinator";
    }

    /** The member whose own status says LEADER, asked as an operator would ({@link ClusterView}). */
    @Override
    public java.util.Optional<String> leader() {
        return new ClusterView(this).statuses().stream().filter(info -> "LEADER".equals(info.self().role()))
                .map(info -> info.self().memberId()).findFirst();
    }

    @Override
    public boolean answers(String memberId) {
        return new ClusterView(this).status(memberId).isPresent();
    }

    /** As {@link ClusterView#awaitLeader}, whose failure carries the members' log tails. */
    @Override
    public String awaitLeader(java.time.Duration timeout) {
        return new ClusterView(this).awaitLeader(timeout).self().memberId();
    }

    /** The network nemesis, whichever backend cuts the links; see {@link #faultBackend()}. */
    @Override
    public NetworkFaults faults() {
        if (faults == null) {
            throw new IllegalStateException("this cluster was started without a way to cut links (use startPartitionable)");
        }
        return faults;
    }

    /**
     * What cuts links: {@code "netns+iptables"}, {@code "proxy: <why not namespaces>"}, or
     * {@code "none"} for a cluster started with {@link #start}.
     */
    @Override
    public String faultBackend() {
        return faultBackend;
    }

    /** The members' namespaces; empty unless the backend is {@code netns+iptables}. */
    public java.util.Optional<NetnsNetwork> network() {
        return java.util.Optional.ofNullable(netns);
    }

    public boolean hasProxies() {
        return partitions != null;
    }

    private Path configFile(String memberId) {
        return dataDir.resolve(memberId + ".yaml");
    }

    @Override
    public Path logFile(String memberId) {
        return dataDir.resolve(memberId + ".log");
    }

    /** The last {@code lines} lines of a member's log, for failure messages; empty if there is none. */
    public String logTail(String memberId, int lines) {
        Path file = logFile(memberId);
        if (!Files.exists(file)) {
            return "";
        }
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    @Override
    public synchronized void startMember(String memberId) {
        Process existing = processes.get(memberId);
        if (existing != null && existing.isAlive()) {
            throw new IllegalStateException(memberId + " is already running");
        }
        List<String> command = new ArrayList<>();
        if (netns != null) {
            command.addAll(netns.inNamespace(memberId, List.of())); // ip netns exec execs java: the pid stays java's
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPENS);
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-Duser.timezone=UTC"); // log times in UTC whatever this host's zone (see LogTimeZone)
        command.add("-cp");
        command.add(memberClasspath);
        command.add(ServerMain.class.getName());
        command.add("server");
        command.add("--config");
        command.add(configFile(memberId).toString());
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            if (clocks != null) {
                builder.environment().putAll(clocks.environment(memberId));
            }
            Process process = builder
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(memberId).toFile()))
                    .start();
            processes.put(memberId, process);
            log.info("started member {} (pid {})", memberId, process.pid());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The members' clocks, when started with skewable clocks. */
    @Override
    public java.util.Optional<ClockSkew> clocks() {
        return java.util.Optional.ofNullable(clocks);
    }

    /** SIGKILL: no shutdown hooks, no flush beyond what the member already fsynced. */
    @Override
    public synchronized void kill(String memberId) {
        Process process = processes.get(memberId);
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
        }
    }

    /** SIGTERM and wait: the member shuts down cleanly. */
    public synchronized void stop(String memberId) {
        Process process = processes.get(memberId);
        if (process != null) {
            process.destroy();
            if (!waitFor(process)) {
                process.destroyForcibly();
                waitFor(process);
            }
        }
    }

    @Override
    public synchronized boolean isRunning(String memberId) {
        Process process = processes.get(memberId);
        return process != null && process.isAlive();
    }

    @Override
    public synchronized long pid(String memberId) {
        return processes.get(memberId).pid();
    }

    private static boolean waitFor(Process process) {
        try {
            return process.waitFor(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public List<MemberAddress> members() {
        return members;
    }

    @Override
    public List<String> memberIds() {
        return members.stream().map(MemberAddress::id).toList();
    }

    @Override
    public String endpoint(String memberId) {
        return members.stream().filter(m -> m.id().equals(memberId)).findFirst().orElseThrow().clientEndpoint();
    }

    /** All client endpoints, comma separated, as the client and ctl take them. */
    public String endpoints() {
        return String.join(",", members.stream().map(MemberAddress::clientEndpoint).toList());
    }

    public Path dataDir() {
        return dataDir;
    }

    private synchronized void killAll() {
        processes.values().forEach(Process::destroyForcibly);
        processes.values().forEach(ProcessCluster::waitFor);
    }

    /** The exit hook: members, then their namespaces (whose own hook may run at the same time: both are idempotent). */
    private void exit() {
        killAll();
        if (netns != null) {
            netns.close();
        }
    }

    @Override
    public void close() {
        killAll();
        if (partitions != null) {
            partitions.close();
        }
        if (netns != null) {
            netns.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException alreadyExiting) {
            // the hook itself is running or has run
        }
    }
}

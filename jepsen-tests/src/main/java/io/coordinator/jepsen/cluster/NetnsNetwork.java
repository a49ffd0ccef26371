package io.coordinator.jepsen.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A private network for one run's members: a Linux bridge in the root namespace, one network
 * namespace per member joined to it by a veth pair, on a /24 of 10.213.0.0/16 that no other run on
 * this host uses at the time. Member i gets 10.213.X.i on {@code eth0} of namespace
 * {@code cn<run>-m<i>}; the bridge {@code cb<run>} gets 10.213.X.254, so that this JVM, in the root
 * namespace, reaches every member directly. Faults are then iptables rules inside the namespaces
 * ({@link IptablesFaults}); nothing in the root namespace is filtered, except that a FORWARD policy
 * other than ACCEPT gets one ACCEPT rule for the bridge (bridged packets pass the root's FORWARD
 * chain when br_netfilter is loaded).
 *
 * <p>Every name is written to a state file, {@code /tmp/coordinator-netns/<run>}, before the thing
 * it names is created, with the owning JVM's pid and start time. {@link #close()} (also run by a
 * shutdown hook, and on a failed setup) kills whatever still runs in the namespaces and removes
 * everything; {@link #cleanupLeftovers(Path)} does the same for state files whose owner is dead,
 * which is what a SIGKILLed run leaves.
 */
public final class NetnsNetwork implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetnsNetwork.class);
    public static final Path STATE_DIR = Path.of("/tmp/coordinator-netns");
    public static final String BACKEND = "netns+iptables";
    private static final int HOST_OCTET = 254;
    private static final int MEMBERS_MAX = 9;
    private static final Duration MEMBER_EXIT_TIMEOUT = Duration.ofSeconds(10);
    private static volatile Optional<String> unavailable;

    private final String runId;
    private final int subnet;
    private final Path stateFile;
    private final String ip;
    private final String iptables;
    private final Map<String, Integer> hostNumbers = new LinkedHashMap<>();
    private final Thread exitHook = new Thread(this::close, "netns-cleanup");
    private boolean closed;

    private NetnsNetwork(String runId, int subnet, Path stateFile, String ip, String iptables) {
        this.runId = runId;
        this.subnet = subnet;
        this.stateFile = stateFile;
        this.ip = ip;
        this.iptables = iptables;
    }

    /**
     * Empty when this host can run members in namespaces and cut them with iptables; otherwise why
     * not. Probed once per JVM: root, {@code ip} and {@code iptables} present, and a throwaway
     * namespace created, filtered and deleted.
     */
    public static synchronized Optional<String> unavailableReason() {
        if (unavailable == null) {
            unavailable = probe();
            log.info("network namespaces: {}", unavailable.map(why -> "unavailable, " + why).orElse("available"));
        }
        return unavailable;
    }

    private static Optional<String> probe() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return Optional.of("not Linux");
        }
        if (!isRoot()) {
            return Optional.of("not root");
        }
        String ip = HostCommand.find("ip");
        if (ip == null) {
            return Optional.of("no 'ip' command (iproute2)");
        }
        String iptables = HostCommand.find("iptables");
        if (iptables == null || HostCommand.find("iptables-restore") == null) {
            return Optional.of("no 'iptables' command (Debian package iptables)");
        }
        String probe = "cnprobe" + randomId(6);
        HostCommand.Result added = HostCommand.run(ip, "netns", "add", probe);
        if (!added.ok()) {
            return Optional.of("'ip netns add' fails: " + added.output().strip());
        }
        try {
            HostCommand.Result filtered = HostCommand.run(ip, "netns", "exec", probe, iptables, "-A", "INPUT", "-s", "10.213.255.1", "-j", "DROP");
            if (!filtered.ok()) {
                return Optional.of("iptables in a namespace fails: " + filtered.output().strip());
            }
            return Optional.empty();
        } finally {
            HostCommand.run(ip, "netns", "delete", probe);
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** Creates the bridge and one namespace per member, recorded in {@link #STATE_DIR}. */
    public static NetnsNetwork create(List<String> memberIds) {
        return create(memberIds, STATE_DIR);
    }

    /** Like {@link #create(List)}, with the state file in {@code stateDir}. */
    public static NetnsNetwork create(List<String> memberIds, Path stateDir) {
        if (memberIds.isEmpty() || memberIds.size() > MEMBERS_MAX) {
            throw new IllegalArgumentException("1 to " + MEMBERS_MAX + " members, not " + memberIds.size());
        }
        Optional<String> why = unavailableReason();
        if (why.isPresent()) {
            throw new IllegalStateException("network namespaces are unavailable: " + why.get());
        }
        String ip = HostCommand.find("ip");
        String iptables = HostCommand.find("iptables");
        NetnsNetwork network = null;
        try {
            Files.createDirectories(stateDir);
            // The lock makes choosing a free subnet and claiming it one step among concurrent runs.
            try (FileChannel lockFile = FileChannel.open(stateDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                String runId = randomId(5);
                int subnet = freeSubnet(ip, runId);
                Path stateFile = stateDir.resolve(runId);
                ProcessHandle self = ProcessHandle.current();
                Files.writeString(stateFile, "owner " + self.pid() + " " + startMillis(self) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                network = new NetnsNetwork(runId, subnet, stateFile, ip, iptables);
                Runtime.getRuntime().addShutdownHook(network.exitHook);
                network.bridge(); // its address claims the subnet
            }
            for (int i = 0; i < memberIds.size(); i++) {
                network.member(memberIds.get(i), i + 1);
            }
            network.allowForwarding();
            log.info("network namespaces: run {} on {}.0/24, bridge {}, members {}", network.runId, network.prefix(),
                    network.bridgeName(), network.hostNumbers.keySet());
            return network;
        } catch (IOException | RuntimeException e) {
            if (network != null) {
                network.close();
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static int freeSubnet(String ip, String runId) {
        String routes = HostCommand.run(ip, "-4", "route", "show", "table", "all").orThrow().output();
        int start = Math.floorMod(runId.hashCode(), 250);
        for (int k = 0; k < 250; k++) {
            int x = 1 + (start + k) % 250;
            if (!routes.contains("10.213." + x + ".")) {
                return x;
            }
        }
        throw new IllegalStateException("every 10.213.X.0/24 is in use on this host");
    }

    private void bridge() {
        record("bridge " + bridgeName());
        ipOk("link", "add", "name", bridgeName(), "type", "bridge");
        ipOk("addr", "add", prefix() + "." + HOST_OCTET + "/24", "dev", bridgeName());
        ipOk("link", "set", bridgeName(), "up");
    }

    private void member(String memberId, int number) {
        String ns = namespace(memberId, number);
        String veth = "cv" + runId + number;
        record("netns " + ns);
        ipOk("netns", "add", ns);
        hostNumbers.put(memberId, number);
        record("veth " + veth);
        ipOk("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ipOk("link", "set", veth, "master", bridgeName(), "up");
        ipOk("-n", ns, "addr", "add", prefix() + "." + number + "/24", "dev", "eth0");
        ipOk("-n", ns, "link", "set", "eth0", "up");
        ipOk("-n", ns, "link", "set", "lo", "up");
    }

    private void allowForwarding() {
        HostCommand.Result forward = HostCommand.run(iptables, "-S", "FORWARD");
        if (forward.ok() && forward.output().contains("-P FORWARD ACCEPT")) {
            return;
        }
        record("forward " + bridgeName());
        HostCommand.run(null, forwardRule(iptables, "-I", bridgeName())).orThrow();
    }

    private static List<String> forwardRule(String iptables, String action, String bridge) {
        return List.of(iptables, action, "FORWARD", "-i", bridge, "-o", bridge, "-m", "comment", "--comment",
                "coordinator-netns", "-j", "ACCEPT");
    }

    private synchronized void record(String line) {
        try {
            Files.writeString(stateFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record " + line + " in " + stateFile, e);
        }
    }

    private void ipOk(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ip);
        command.addAll(List.of(args));
        HostCommand.run(null, command).orThrow();
    }

    /** True once {@link #close()} began: the namespaces are gone or going. */
    public synchronized boolean isClosed() {
        return closed;
    }

    public String runId() {
        return runId;
    }

    public String bridgeName() {
        return "cb" + runId;
    }

    private String prefix() {
        return "10.213." + subnet;
    }

    /** The member's address, the only one it has besides loopback. */
    public String address(String memberId) {
        return prefix() + "." + number(memberId);
    }

    /** The root namespace's address on the bridge: where this JVM's connections to members come from. */
    public String hostAddress() {
        return prefix() + "." + HOST_OCTET;
    }

    public String namespace(String memberId) {
        return namespace(memberId, number(memberId));
    }

    private String namespace(String memberId, int number) {
        return "cn" + runId + "-m" + number;
    }

    public List<String> memberIds() {
        return List.copyOf(hostNumbers.keySet());
    }

    private int number(String memberId) {
        Integer number = hostNumbers.get(memberId);
        if (number == null) {
            throw new IllegalArgumentException("unknown member " + memberId + "; members are " + hostNumbers.keySet());
        }
        return number;
    }

    /** {@code command}, run inside the member's namespace. */
    public List<String> inNamespace(String memberId, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of(ip, "netns", "exec", namespace(memberId)));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Starts {@code iptables-restore} in the member's namespace with {@code rules}; see {@link HostCommand#await}. */
    HostCommand.Pending restoreRules(String memberId, String rules) {
        return HostCommand.start(rules, inNamespace(memberId, List.of(iptables + "-restore")));
    }

    /** Every name of this run that still exists on the host: namespaces, then links. For tests and checks. */
    public List<String> remains() {
        return remains(ip, runId);
    }

    static List<String> remains(String ip, String runId) {
        List<String> found = new ArrayList<>();
        for (String line : HostCommand.run(ip, "netns", "list").output().split("\n")) {
            String name = line.split(" ")[0];
            if (name.startsWith("cn" + runId + "-")) {
                found.add("netns " + name);
            }
        }
        for (String line : HostCommand.run(ip, "-o", "link", "show").output().split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1) {
                String name = parts[1].split("@")[0];
                if (name.equals("cb" + runId) || name.startsWith("cv" + runId)) {
                    found.add("link " + name);
                }
            }
        }
        return found;
    }

    /** Kills what runs in the namespaces, removes namespaces, veths, bridge and rule, then the state file. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Removal must run to the end even on an interrupted thread (a test's timeout, the harness's Ctrl-C).
        boolean interrupted = Thread.interrupted();
        try {
            List<String> problems = remove(ip, iptables, stateFile);
            if (problems.isEmpty()) {
                log.info("network namespaces: run {} removed", runId);
            } else {
                log.warn("network namespaces: run {} not entirely removed: {}", runId, problems);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException exiting) {
            // the hook runs or ran
        }
    }

    /**
     * Removes what every state file in {@link #STATE_DIR} whose owner is dead names; call it before a
     * run. Returns the run ids removed.
     */
    public static List<String> cleanupLeftovers() {
        return cleanupLeftovers(STATE_DIR);
    }

    public static List<String> cleanupLeftovers(Path stateDir) {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(stateDir) || unavailableReason().isPresent()) {
            return removed;
        }
        String ip = HostCommand.find("ip");
        String iptables = HostCommand.find("iptables");
        List<Path> files;
        try (Stream<Path> list = Files.list(stateDir)) {
            files = list.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            log.warn("network namespaces: cannot list {}: {}", stateDir, e.toString());
            return removed;
        }
        for (Path file : files) {
            if (ownerAlive(file)) {
                continue;
            }
            List<String> problems = remove(ip, iptables, file);
            log.warn("network namespaces: removed the leftovers of run {} (its owner is gone){}", file.getFileName(),
                    problems.isEmpty() ? "" : "; problems: " + problems);
            removed.add(file.getFileName().toString());
        }
        return removed;
    }

    private static boolean ownerAlive(Path stateFile) {
        try {
            List<String> lines = Files.readAllLines(stateFile, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).startsWith("owner ")) {
                // Written by a run that died between creating the file and its first line.
                return Files.getLastModifiedTime(stateFile).toInstant().isAfter(Instant.now().minusSeconds(60));
            }
            String[] owner = lines.get(0).split(" ");
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(owner[1]));
            return process.isPresent() && process.get().isAlive() && Long.toString(startMillis(process.get())).equals(owner[2]);
        } catch (IOException | RuntimeException e) {
            return true; // unreadable: leave it to whoever can read it
        }
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** Undoes what {@code stateFile} names, newest first; returns what could not be undone. */
    private static List<String> remove(String ip, String iptables, Path stateFile) {
        List<String> lines;
        try {
            lines = new ArrayList<>(Files.readAllLines(stateFile, StandardCharsets.UTF_8));
        } catch (java.nio.file.NoSuchFileException removedAlready) {
            return List.of();
        } catch (IOException e) {
            return List.of("cannot read " + stateFile + ": " + e);
        }
        List<String> problems = new ArrayList<>();
        // Members first, all of them, so that each namespace dies with its last process.
        for (String line : lines) {
            if (line.startsWith("netns ")) {
                killProcessesIn(ip, line.substring(6), problems);
            }
        }
        java.util.Collections.reverse(lines);
        for (String line : lines) {
            String[] parts = line.split(" ", 2);
            if (parts.length < 2) {
                continue;
            }
            String name = parts[1];
            HostCommand.Result result = switch (parts[0]) {
                case "netns" -> HostCommand.run(ip, "netns", "delete", name);
                case "veth", "bridge" -> HostCommand.run(ip, "link", "delete", name);
                case "forward" -> HostCommand.run(null, forwardRule(iptables, "-D", name));
                default -> null;
            };
            if (result != null && !result.ok() && !gone(result.output())) {
                problems.add(String.join(" ", result.command()) + ": " + result.output().strip());
            }
        }
        if (problems.isEmpty()) {
            try {
                Files.deleteIfExists(stateFile);
            } catch (IOException e) {
                problems.add("cannot delete " + stateFile + ": " + e);
            }
        }
        return problems;
    }

    /** The messages of ip and iptables for a thing that is already gone. */
    private static boolean gone(String output) {
        return output.contains("No such file") || output.contains("Cannot find device") || output.contains("does not exist")
                || output.contains("Bad rule") || output.contains("No chain/target/match");
    }

    private static void killProcessesIn(String ip, String namespace, List<String> problems) {
        HostCommand.Result pids = HostCommand.run(ip, "netns", "pids", namespace);
        if (!pids.ok()) {
            return; // no such namespace
        }
        List<ProcessHandle> killed = new ArrayList<>();
        for (String pid : pids.output().split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(p -> {
                    p.destroyForcibly();
                    killed.add(p);
                });
            }
        }
        long deadline = System.nanoTime() + MEMBER_EXIT_TIMEOUT.toNanos();
        for (ProcessHandle process : killed) {
            try {
                process.onExit().get(Math.max(1, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                problems.add("pid " + process.pid() + " in " + namespace + " did not exit: " + e);
            }
        }
    }

    private static String randomId(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < length; i++) {
            id.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return id.toString();
    }
}

package io.coordinator.jepsen.baseline;

import io.coordinator.jepsen.cluster.ClockSkew;
import io.coordinator.jepsen.cluster.FaultTarget;
import io.coordinator.jepsen.cluster.IptablesFaults;
import io.coordinator.jepsen.cluster.NetnsNetwork;
import io.coordinator.jepsen.cluster.NetworkFaults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Baseline members (ZooKeeper, etcd) as the harness runs them: each member a process in a network
 * namespace of its own ({@link NetnsNetwork}), all on the same ports at their own addresses, so that
 * {@link IptablesFaults} cuts their peer links exactly as it cuts Coordinator's, and SIGKILL and
 * restart, SIGSTOP by pid and libfaketime's clock skew reach them alike. There is no proxy fallback:
 * without namespaces (not root, no iptables) a baseline cannot be started.
 *
 * <p>Subclasses say how a member is started and how to ask who leads. Closing kills every member and
 * removes the namespaces, and so does the JVM's exit.
 */
public abstract class NamespacedEnsemble implements FaultTarget {
    private static final Logger log = LoggerFactory.getLogger(NamespacedEnsemble.class);
    private static final long EXIT_WAIT_SECONDS = 15;

    private final String system;
    private final Path dataDir;
    private final NetnsNetwork network;
    private final NetworkFaults faults;
    /** Null unless members run with skewable clocks. */
    private final ClockSkew clocks;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Thread exitHook;
    private boolean closed;

    protected NamespacedEnsemble(String system, Path dataDir, NetnsNetwork network, ClockSkew clocks) {
        this.system = system;
        this.dataDir = dataDir;
        this.network = network;
        this.faults = new IptablesFaults(network, Clock.systemUTC());
        this.clocks = clocks;
        this.exitHook = new Thread(this::close, system + "-ensemble-exit");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /**
     * A namespace for each of members m1..m{count}, after removing what dead runs left.
     *
     * @throws IllegalStateException saying why, when this host cannot give members namespaces
     */
    protected static NetnsNetwork network(String system, int count) {
        Optional<String> why = NetnsNetwork.unavailableReason();
        if (why.isPresent()) {
            throw new IllegalStateException(system + " members need network namespaces (run as root with iproute2 and iptables): "
                    + why.get());
        }
        NetnsNetwork.cleanupLeftovers();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add("m" + i);
        }
        return NetnsNetwork.create(ids);
    }

    /** The command that runs the member in the foreground; it is started inside its namespace. */
    protected abstract List<String> command(String memberId);

    /** The member's address in its namespace. */
    protected String address(String memberId) {
        return network.address(memberId);
    }

    protected Path dataDir() {
        return dataDir;
    }

    /** Starts every member; on failure the caller closes the ensemble. */
    protected void startAll() {
        memberIds().forEach(this::startMember);
    }

    @Override
    public String system() {
        return system;
    }

    @Override
    public List<String> memberIds() {
        return network.memberIds();
    }

    @Override
    public NetworkFaults faults() {
        return faults;
    }

    @Override
    public String faultBackend() {
        return NetnsNetwork.BACKEND;
    }

    @Override
    public Optional<ClockSkew> clocks() {
        return Optional.ofNullable(clocks);
    }

    @Override
    public Path logFile(String memberId) {
        return dataDir.resolve(memberId + ".log");
    }

    @Override
    public synchronized void startMember(String memberId) {
        if (closed) {
            throw new IllegalStateException(system + " members are closed; not starting " + memberId);
        }
        Process existing = processes.get(memberId);
        if (existing != null && existing.isAlive()) {
            throw new IllegalStateException(memberId + " is already running");
        }
        // ip netns exec execs the command: the pid is the member's own, which SIGSTOP needs.
        ProcessBuilder builder = new ProcessBuilder(network.inNamespace(memberId, command(memberId)));
        if (clocks != null) {
            builder.environment().putAll(clocks.environment(memberId));
        }
        try {
            Process process = builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(memberId).toFile())).start();
            processes.put(memberId, process);
            log.info("started {} member {} at {} (pid {})", system, memberId, address(memberId), process.pid());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + system + " member " + memberId, e);
        }
    }

    @Override
    public synchronized void kill(String memberId) {
        Process process = processes.get(memberId);
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
        }
    }

    @Override
    public synchronized boolean isRunning(String memberId) {
        Process process = processes.get(memberId);
        return process != null && process.isAlive();
    }

    @Override
    public synchronized long pid(String memberId) {
        Process process = processes.get(memberId);
        if (process == null) {
            throw new IllegalStateException(memberId + " was never started");
        }
        return process.pid();
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Members, then their namespaces; idempotent (the exit hook may run it too). */
    @Override
    public void close() {
        synchronized (this) {
            if (!closed) {
                closed = true;
                processes.values().forEach(Process::destroyForcibly);
                processes.values().forEach(NamespacedEnsemble::waitFor);
            }
        }
        network.close();
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException exiting) {
            // the hook runs or ran
        }
    }
}

package io.coordinator.jepsen.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of member processes that the harness's nemesis can hurt, whatever system they run
 * (Coordinator, or ZooKeeper and etcd as baselines): its links cut, a member SIGKILLed and started
 * again, SIGSTOPped by pid, its wall clock skewed, and asked who leads. The harness needs nothing
 * else of a cluster, so the same faults reach every system the same way.
 */
public interface FaultTarget extends AutoCloseable {
    /** The system's name as {@code --system} spells it: coordinator, zookeeper, etcd. */
    String system();

    /** The members' ids, m1, m2, ..., in order. */
    List<String> memberIds();

    /** Where a client reaches the member: host:port, or a URL for a system spoken to over HTTP. */
    String endpoint(String memberId);

    /** The network nemesis; see {@link #faultBackend()}. */
    NetworkFaults faults();

    /** What cuts links, e.g. {@code netns+iptables}. */
    String faultBackend();

    /** The members' clocks, when started with skewable clocks. */
    Optional<ClockSkew> clocks();

    /** SIGKILL, and wait for the process to be gone. */
    void kill(String memberId);

    /** Starts a stopped member again, with its data as it left it. */
    void startMember(String memberId);

    long pid(String memberId);

    boolean isRunning(String memberId);

    /** The member that says it leads now (each running member asked once, briefly); empty if none does. */
    Optional<String> leader();

    /** True when the member answers a status request now: it is up and serving. */
    boolean answers(String memberId);

    /** The member's log file (its stdout and stderr). */
    Path logFile(String memberId);

    /**
     * Waits until a member says it leads, and returns it.
     *
     * @throws IllegalStateException after {@code timeout}, or at once when no member runs
     */
    default String awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (memberIds().stream().noneMatch(this::isRunning)) {
                throw new IllegalStateException("no " + system() + " member is running");
            }
            Optional<String> leader = leader();
            if (leader.isPresent()) {
                return leader.get();
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for a " + system() + " leader", e);
            }
        }
        throw new IllegalStateException("no " + system() + " leader within " + timeout.toSeconds() + " s (see the member logs)");
    }

    /** Kills every member and removes what the cluster set up (namespaces, proxies). */
    @Override
    void close();
}

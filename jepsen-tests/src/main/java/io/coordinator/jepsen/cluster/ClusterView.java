package io.coordinator.jepsen.cluster;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.Endpoint;
import io.coordinator.client.MemberInfo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Asks each running member of a {@link ProcessCluster} for its own status, the way an operator
 * would with {@code ctl status}. Every wait is bounded by the given timeout.
 */
public final class ClusterView {
    private static final int LOG_TAIL_LINES = 15;

    private final ProcessCluster cluster;

    public ClusterView(ProcessCluster cluster) {
        this.cluster = cluster;
    }

    /** Status of every running member that answers. */
    public List<MemberInfo> statuses() {
        List<MemberInfo> answers = new ArrayList<>();
        for (String id : cluster.memberIds()) {
            if (cluster.isRunning(id)) {
                status(id).ifPresent(answers::add);
            }
        }
        return answers;
    }

    public Optional<MemberInfo> status(String memberId) {
        Endpoint endpoint = Endpoint.parse(cluster.endpoint(memberId));
        try (Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(List.of(endpoint))
                .openSession(false).requestTimeoutMillis(2_000).connectTimeoutMillis(1_000).build())) {
            return Optional.of(client.status(endpoint));
        } catch (RuntimeException unreachable) {
            return Optional.empty();
        }
    }

    /**
     * Waits until a running member says it is the leader, and returns its status. Fails at once,
     * with the members' log tails, if every member process has exited.
     */
    public MemberInfo awaitLeader(Duration timeout) {
        return awaitLeaderAmong(cluster.memberIds(), timeout);
    }

    /**
     * Waits until one of {@code memberIds} says it is the leader and returns its status. Use it in a
     * partition: a member cut off from the rest may still believe it leads for a while.
     */
    public MemberInfo awaitLeaderAmong(Collection<String> memberIds, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            requireSomeRunning(memberIds);
            for (String id : memberIds) {
                Optional<MemberInfo> info = cluster.isRunning(id) ? status(id) : Optional.empty();
                if (info.isPresent() && "LEADER".equals(info.get().self().role())) {
                    return info.get();
                }
            }
            pause();
        }
        throw new IllegalStateException("no leader among " + memberIds + " within " + timeout + logTails(memberIds));
    }

    /** Waits until the member's local state has reached {@code revision}. */
    public void awaitRevision(String memberId, long revision, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            requireSomeRunning(List.of(memberId));
            Optional<MemberInfo> info = status(memberId);
            if (info.isPresent() && info.get().self().revision() >= revision) {
                return;
            }
            pause();
        }
        throw new IllegalStateException(memberId + " did not reach revision " + revision + " within " + timeout
                + logTails(List.of(memberId)));
    }

    private void requireSomeRunning(Collection<String> memberIds) {
        if (memberIds.stream().noneMatch(cluster::isRunning)) {
            throw new IllegalStateException("no member of " + memberIds + " is running" + logTails(memberIds));
        }
    }

    private String logTails(Collection<String> memberIds) {
        StringBuilder tails = new StringBuilder();
        for (String id : memberIds) {
            tails.append(System.lineSeparator()).append("--- last lines of ").append(cluster.logFile(id)).append(':')
                    .append(System.lineSeparator()).append(cluster.logTail(id, LOG_TAIL_LINES));
        }
        return tails.toString();
    }

    public String endpointsExcept(String memberId) {
        return String.join(",", cluster.memberIds().stream().filter(id -> !id.equals(memberId))
                .map(cluster::endpoint).toList());
    }

    public void printStatus(PrintStream out) {
        out.printf("          %-6s %-10s %5s %-7s %8s %9s%n", "member", "role", "term", "leader", "commit", "revision");
        for (String id : cluster.memberIds()) {
            Optional<MemberInfo> info = cluster.isRunning(id) ? status(id) : Optional.empty();
            if (info.isPresent()) {
                var self = info.get().self();
                out.printf("          %-6s %-10s %5d %-7s %8d %9d%n", id, self.role(), self.term(),
                        self.leaderId() == null ? "-" : self.leaderId(), self.commitIndex(), self.revision());
            } else {
                out.printf("          %-6s %-10s%n", id, cluster.isRunning(id) ? "unreachable" : "down");
            }
        }
        out.flush();
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

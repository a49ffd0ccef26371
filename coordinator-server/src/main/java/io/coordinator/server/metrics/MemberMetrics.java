package io.coordinator.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.Op;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.server.consensus.MemberStatus;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The metrics of one member: a Dropwizard {@link MetricRegistry} it owns, with Prometheus-style
 * names (units last, labels in the name, see {@link MetricName}) and help texts, exposed by
 * {@link #scrape()} in the Prometheus text format.
 *
 * <p>Other parts register into it: {@link #gauge} for a value read at scrape time (the watch hub
 * registers {@code coordinator_watches} through {@link #watchesGauge}), {@link #counter} for
 * counts. Registering a name again replaces the old metric, so a part that restarts re-registers.
 */
public final class MemberMetrics implements RequestObserver {
    private final MetricRegistry registry = new MetricRegistry();
    private final Map<String, String> help = new ConcurrentHashMap<>();
    private final Map<String, SummingTimer> requestTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> httpResponses = new ConcurrentHashMap<>();
    private final SummingTimer commitTimer;
    private final SummingTimer readIndexTimer;
    private final SummingHistogram writeBatchSizes;
    private final SummingHistogram readBatchSizes;
    private final Counter writeBatchFailures;
    private final Counter readBatchFailures;
    private final Counter leaderChanges;
    private final TrafficCounter clientTraffic;
    private final TrafficCounter httpTraffic;
    private volatile Supplier<MemberStatus> consensusStatus;
    private long lastLeaderTerm = -1;

    public MemberMetrics() {
        describe("coordinator_request_seconds",
                "Client requests (binary and HTTP) from admission to reply, by operation and requested consistency");
        describe("coordinator_commit_seconds", "Write batches from proposal to the log's reply (commit and apply)");
        describe("coordinator_read_index_seconds", "Linearizable read batches from the read barrier to the reply");
        describe("coordinator_batch_requests", "Client requests per batch handed to the log, by kind");
        describe("coordinator_batch_failures_total", "Batches the log answered with UNAVAILABLE or TIMEOUT, by kind");
        commitTimer = register("coordinator_commit_seconds", new SummingTimer());
        readIndexTimer = register("coordinator_read_index_seconds", new SummingTimer());
        writeBatchSizes = register(MetricName.of("coordinator_batch_requests", "kind", "write"), new SummingHistogram());
        readBatchSizes = register(MetricName.of("coordinator_batch_requests", "kind", "read"), new SummingHistogram());
        writeBatchFailures = counter(MetricName.of("coordinator_batch_failures_total", "kind", "write"));
        readBatchFailures = counter(MetricName.of("coordinator_batch_failures_total", "kind", "read"));
        describe("coordinator_leader_changes_total", "Leaders this member has seen take office (a new term with a known leader)");
        leaderChanges = counter("coordinator_leader_changes_total");
        describe("coordinator_client_received_bytes_total", "Bytes read on the binary client port");
        describe("coordinator_client_sent_bytes_total", "Bytes written on the binary client port");
        clientTraffic = new TrafficCounter(counter("coordinator_client_received_bytes_total"),
                counter("coordinator_client_sent_bytes_total"));
        describe("coordinator_http_received_bytes_total", "Bytes read on the HTTP port");
        describe("coordinator_http_sent_bytes_total", "Bytes written on the HTTP port");
        httpTraffic = new TrafficCounter(counter("coordinator_http_received_bytes_total"),
                counter("coordinator_http_sent_bytes_total"));
        describe("coordinator_http_requests_total", "HTTP requests answered, by method, route and status code");
        JvmMetrics.register(this);
    }

    /**
     * The member's own gauges: its consensus view, its state and its queues. Read at scrape time.
     *
     * @param status            the consensus engine's view (cheap, never blocks)
     * @param revision          the revision of the local state
     * @param pending           client requests admitted and not yet answered
     * @param queued            client requests waiting for a free log slot
     * @param clientConnections open connections on the binary port
     */
    public void registerMember(Supplier<MemberStatus> status, LongSupplier revision, IntSupplier pending,
                               IntSupplier queued, IntSupplier clientConnections) {
        consensusStatus = status;
        gauge("coordinator_term", "The Raft term as this member knows it", () -> status.get().term());
        gauge("coordinator_is_leader", "1 when this member is the leader", () -> status.get().isLeader() ? 1 : 0);
        gauge("coordinator_has_leader", "1 when this member knows a leader", () -> status.get().leaderId() == null ? 0 : 1);
        gauge("coordinator_commit_index", "Highest log index this member knows to be committed",
                () -> status.get().commitIndex());
        gauge("coordinator_applied_index", "Highest log index this member has applied", () -> status.get().lastApplied());
        gauge("coordinator_revision", "Revision of this member's copy of the tree", revision::getAsLong);
        gauge("coordinator_pending_requests", "Client requests admitted and not yet answered", pending::getAsInt);
        gauge("coordinator_queued_requests", "Client requests waiting for a free log slot", queued::getAsInt);
        gauge("coordinator_client_connections", "Open connections on the binary client port", clientConnections::getAsInt);
    }

    /** Sessions alive in this member's copy of the state (all members agree once they have applied the same entries). */
    public void sessionsGauge(IntSupplier sessions) {
        gauge("coordinator_sessions", "Sessions alive in this member's copy of the replicated state", sessions::getAsInt);
    }

    /**
     * One gauge per fast path of the consensus adapter, {@code coordinator_fast_path_active{path=...}}:
     * 1 while it works, 0 once it fell back to the library's slower way. Read at scrape time.
     *
     * @param fastPaths the paths by name, true while active; the same names on every call
     */
    public void fastPathsGauge(Supplier<Map<String, Boolean>> fastPaths) {
        describe("coordinator_fast_path_active", "1 while the consensus adapter's fast path around a slow part of "
                + "Atomix works, 0 once it fell back to the library's slower way");
        for (String path : fastPaths.get().keySet()) {
            String name = MetricName.of("coordinator_fast_path_active", "path", path);
            registry.remove(name);
            registry.register(name, (Gauge<Integer>) () -> Boolean.TRUE.equals(fastPaths.get().get(path)) ? 1 : 0);
        }
    }

    /** The hook for the watch hub: how many watches this member holds. */
    public void watchesGauge(LongSupplier watches) {
        gauge("coordinator_watches", "Watches registered on this member", watches::getAsLong);
    }

    /** Registers (or replaces) a gauge read at scrape time. */
    public void gauge(String family, String helpText, Supplier<? extends Number> value) {
        describe(family, helpText);
        registry.remove(family);
        registry.register(family, (Gauge<Number>) value::get);
    }

    /** A counter under a full registry name (family plus labels, from {@link MetricName#of}); made once. */
    public Counter counter(String name) {
        MetricName.requireFamily(MetricName.family(name));
        return registry.counter(name);
    }

    void monotonic(String name, DoubleSupplier value) {
        registry.remove(name);
        registry.register(name, new MonotonicValue(value));
    }

    public void describe(String family, String helpText) {
        MetricName.requireFamily(family);
        help.put(family, helpText);
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** Counts the bytes of the binary client port; add it first in each connection's pipeline. */
    public TrafficCounter clientTraffic() {
        return clientTraffic;
    }

    /** Counts the bytes of the HTTP port. */
    public TrafficCounter httpTraffic() {
        return httpTraffic;
    }

    public void httpResponse(String method, String route, int status) {
        String key = method + ' ' + route + ' ' + status;
        httpResponses.computeIfAbsent(key, ignored -> counter(MetricName.of("coordinator_http_requests_total",
                "method", method, "route", route, "code", Integer.toString(status)))).inc();
    }

    /**
     * Counts a leader change when this member sees a new term with a known leader. Called
     * periodically and at every scrape, so a change is missed only if a whole term passes between
     * two samples.
     */
    public synchronized void sampleLeadership() {
        Supplier<MemberStatus> status = consensusStatus;
        if (status == null) {
            return;
        }
        MemberStatus now = status.get();
        if (now.leaderId() != null && now.term() != lastLeaderTerm) {
            lastLeaderTerm = now.term();
            leaderChanges.inc();
        }
    }

    /** Every metric in the Prometheus text format, version 0.0.4. */
    public String scrape() {
        sampleLeadership();
        return PrometheusText.write(registry, help);
    }

    public static String contentType() {
        return PrometheusText.CONTENT_TYPE;
    }

    @Override
    public void requestCompleted(Command command, Consistency consistency, long nanos) {
        String op = operation(command);
        String level = command.isWrite() || consistency == null ? "linearizable" : consistency.name().toLowerCase();
        requestTimers.computeIfAbsent(op + ' ' + level, ignored -> register(
                MetricName.of("coordinator_request_seconds", "op", op, "consistency", level), new SummingTimer()))
                .update(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void batchCompleted(BatchKind kind, byte[] batch, long nanos, boolean failed) {
        boolean write = kind == BatchKind.WRITE;
        int requests = batchCount(batch);
        if (requests >= 0) {
            (write ? writeBatchSizes : readBatchSizes).update(requests);
        }
        if (failed) {
            (write ? writeBatchFailures : readBatchFailures).inc();
        } else {
            (write ? commitTimer : readIndexTimer).update(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The request count from a log batch's header ({@code 'B' | version | int32 count}, see LogBatch), or -1. */
    static int batchCount(byte[] batch) {
        if (batch == null || batch.length < 6 || batch[0] != 'B') {
            return -1;
        }
        return ByteBuffer.wrap(batch, 2, 4).getInt();
    }

    /** The operation's name as the protocol spells it, in snake case: a label value. */
    static String operation(Command command) {
        if (command instanceof Command.Execute execute) {
            Op op = execute.op();
            if (op instanceof Op.Create) {
                return "create";
            } else if (op instanceof Op.SetData) {
                return "set";
            } else if (op instanceof Op.Delete) {
                return "delete";
            } else if (op instanceof Op.Get) {
                return "get";
            } else if (op instanceof Op.Exists) {
                return "exists";
            } else if (op instanceof Op.Children) {
                return "children";
            }
        } else if (command instanceof Command.Txn) {
            return "txn";
        } else if (command instanceof Command.OpenSession) {
            return "open_session";
        } else if (command instanceof Command.KeepAlive) {
            return "keep_alive";
        } else if (command instanceof Command.CloseSession) {
            return "close_session";
        } else if (command instanceof Command.LeaderChanged) {
            return "leader_changed";
        } else if (command instanceof Command.Tick) {
            return "tick";
        }
        return "other";
    }

    private <T extends com.codahale.metrics.Metric> T register(String name, T metric) {
        MetricName.requireFamily(MetricName.family(name));
        return registry.register(name, metric);
    }
}

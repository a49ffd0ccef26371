package io.coordinator.server.member;

import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.config.MemberAddress;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.consensus.ConsensusConfig;
import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.consensus.ReplicatedLog;
import io.coordinator.server.consensus.atomix.AtomixReplicatedLog;
import io.coordinator.server.http.HttpGateway;
import io.coordinator.server.metrics.MemberMetrics;
import io.coordinator.server.net.ClientServer;
import io.coordinator.server.pipeline.RequestPipeline;
import io.coordinator.server.state.ReplicatedTree;
import io.coordinator.server.watch.WatchHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One member process, wired together: the replicated tree fed by the consensus log, the request
 * pipeline in front of it, the client port, and the leader's duties. The only class that knows all
 * the parts.
 */
public final class Member implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Member.class);

    private final ServerConfig config;
    private final ReplicatedTree tree;
    private final ReplicatedLog replicatedLog;
    private final RequestPipeline pipeline;
    private final MemberMetrics metrics = new MemberMetrics();
    private final ClientServer clientServer = new ClientServer(metrics.clientTraffic());
    private volatile HttpGateway httpGateway;
    private final ScheduledExecutorService scheduler;
    private final WatchHub watches;

    private Member(ServerConfig config) {
        this.config = config;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "leader-duties-" + config.memberId());
            thread.setDaemon(true);
            return thread;
        });
        this.watches = new WatchHub(config.memberId(), watchSettings(config), scheduler);
        this.tree = new ReplicatedTree(config.memberId(), config.coreLimits(), watches, watches::restart);
        this.replicatedLog = AtomixReplicatedLog.create(consensusConfig(config), tree);
        this.pipeline = new RequestPipeline(replicatedLog, tree, config, metrics);
    }

    private static WatchHub.Settings watchSettings(ServerConfig config) {
        ServerConfig.LimitsConfig limits = config.limits();
        // A watch from a revision this member has not reached waits as long as a serializable read would.
        return new WatchHub.Settings(limits.watchHistoryEventsMax(), limits.watchHistoryBytesMax(),
                limits.watchesPerConnectionMax(), config.consensus().proposalTimeoutMillis(),
                limits.frameBytesMax() / 2, limits.pathLengthMax());
    }

    /** Starts the member and returns once it serves clients (a leader may still be being elected). */
    public static Member start(ServerConfig config) throws Exception {
        Files.createDirectories(config.dataDir());
        Member member = new Member(config);
        try {
            member.startParts();
            return member;
        } catch (Exception | Error e) {
            member.close();
            throw e;
        }
    }

    private void startParts() throws Exception {
        MemberAddress self = config.self();
        // The log starts in the background: a member of a cluster that has not formed yet must
        // still accept connections and answer UNAVAILABLE rather than refuse them.
        replicatedLog.start().whenComplete((ignored, failure) -> {
            if (failure != null) {
                log.error("member={} consensus failed to start", config.memberId(), failure);
            } else {
                log.info("member={} joined the cluster: {}", config.memberId(), replicatedLog.status());
                watches.ready();
            }
        });
        clientServer.start(new InetSocketAddress(self.host(), self.clientPort()), pipeline, watches,
                config.limits().watchPendingBytesMax(), this::statusReply, config.memberId(),
                config.limits().frameBytesMax(), config.limits().connectionsMax());
        new LeaderDuties(replicatedLog, pipeline, config.memberId(), tree::earliestDeadlineMillis, Clock.systemUTC())
                .schedule(scheduler, config.sessions().tickIntervalMillis());
        metrics.registerMember(replicatedLog::status, tree::revision, pipeline::pending, pipeline::queued,
                clientServer::connections);
        metrics.watchesGauge(watches::watchesActive);
        metrics.sessionsGauge(tree::liveSessions);
        metrics.fastPathsGauge(replicatedLog::fastPaths);
        log.info("member={} consensus fast paths active: {}", config.memberId(), replicatedLog.fastPaths());
        scheduler.scheduleWithFixedDelay(metrics::sampleLeadership, 100, 100, TimeUnit.MILLISECONDS);
        if (self.httpPort() != 0) {
            httpGateway = HttpGateway.start(config, pipeline, tree, replicatedLog::status, this::statusReply, metrics, watches);
        }
    }

    private static ConsensusConfig consensusConfig(ServerConfig config) {
        Map<String, String> peers = new LinkedHashMap<>();
        for (MemberAddress member : config.members()) {
            peers.put(member.id(), member.host() + ":" + member.raftPort());
        }
        ServerConfig.ConsensusSettings consensus = config.consensus();
        return ConsensusConfig.builder(config.memberId(), config.self().host(), config.self().raftPort(), peers,
                        config.dataDir().resolve("raft"))
                .electionTimeoutMillis(consensus.electionTimeoutMillis())
                .heartbeatIntervalMillis(consensus.heartbeatIntervalMillis())
                .proposalTimeoutMillis(consensus.proposalTimeoutMillis())
                .sessionsPerMember(consensus.sessionsPerMember())
                .segmentBytesMax(consensus.segmentBytesMax())
                .entryBytesMax(entryBytesMax(config))
                .build();
    }

    /**
     * A log entry must hold the largest batch the pipeline builds: up to batch.bytes-max of
     * requests, or a single request as large as a frame may be, plus the batch's own framing.
     */
    private static int entryBytesMax(ServerConfig config) {
        int payloadMax = Math.max(config.batch().bytesMax(), config.limits().frameBytesMax());
        return payloadMax + 64 * 1024;
    }

    public ServerMessage.StatusReply statusReply() {
        MemberStatus status = replicatedLog.status();
        io.coordinator.protocol.message.MemberStatus self = new io.coordinator.protocol.message.MemberStatus(
                config.memberId(), status.role().name(), status.term(), status.leaderId(), status.commitIndex(),
                tree.lastAppliedIndex(), tree.revision(), config.self().clientEndpoint());
        return new ServerMessage.StatusReply(self, config.members().stream().map(MemberAddress::id).toList());
    }

    public String id() {
        return config.memberId();
    }

    /** The member's watches and their history (counters for metrics). */
    public WatchHub watches() {
        return watches;
    }

    /** The member's metrics registry (exposed on the HTTP port's /metrics); other parts register gauges into it. */
    public MemberMetrics metrics() {
        return metrics;
    }

    /** Where the HTTP gateway listens, or null when members[].http-port is 0. */
    public InetSocketAddress httpAddress() {
        HttpGateway gateway = httpGateway;
        return gateway == null ? null : gateway.address();
    }

    public ReplicatedLog replicatedLog() {
        return replicatedLog;
    }

    public InetSocketAddress clientAddress() {
        return clientServer.address();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        HttpGateway gateway = httpGateway;
        if (gateway != null) {
            gateway.close();
        }
        clientServer.close();
        replicatedLog.close();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("member={} stopped", config.memberId());
    }
}

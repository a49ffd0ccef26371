package io.coordinator.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.coordinator.core.api.Limits;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything one member needs to start. Read from YAML by {@link ConfigLoader}; every key and its
 * default is documented in config/README.md.
 */
public record ServerConfig(
        @JsonProperty("member-id") String memberId,
        @JsonProperty("data-dir") Path dataDir,
        @JsonProperty("members") List<MemberAddress> members,
        @JsonProperty("limits") LimitsConfig limits,
        @JsonProperty("consensus") ConsensusSettings consensus,
        @JsonProperty("batch") BatchSettings batch,
        @JsonProperty("sessions") SessionSettings sessions,
        @JsonProperty("http") HttpSettings http) {

    /** Without an http section: its defaults. */
    public ServerConfig(String memberId, Path dataDir, List<MemberAddress> members, LimitsConfig limits,
                        ConsensusSettings consensus, BatchSettings batch, SessionSettings sessions) {
        this(memberId, dataDir, members, limits, consensus, batch, sessions, null);
    }

    public ServerConfig {
        Objects.requireNonNull(memberId, "member-id");
        Objects.requireNonNull(dataDir, "data-dir");
        members = List.copyOf(Objects.requireNonNull(members, "members"));
        limits = limits == null ? LimitsConfig.DEFAULTS : limits;
        consensus = consensus == null ? ConsensusSettings.DEFAULTS : consensus;
        batch = batch == null ? BatchSettings.DEFAULTS : batch;
        sessions = sessions == null ? SessionSettings.DEFAULTS : sessions;
        http = http == null ? HttpSettings.DEFAULTS : http;
        if (members.stream().map(MemberAddress::id).distinct().count() != members.size()) {
            throw new IllegalArgumentException("members: duplicate member id");
        }
        if (members.stream().noneMatch(m -> m.id().equals(memberId))) {
            throw new IllegalArgumentException("member-id '" + memberId + "' is not one of members");
        }
    }

    public MemberAddress self() {
        return members.stream().filter(m -> m.id().equals(memberId)).findFirst().orElseThrow();
    }

    static void requirePort(int port, String key) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(key + ": port " + port + " is out of range");
        }
    }

    /** Bounds on what clients may send and hold. */
    public record LimitsConfig(
            @JsonProperty("data-bytes-max") int dataBytesMax,
            @JsonProperty("path-length-max") int pathLengthMax,
            @JsonProperty("frame-bytes-max") int frameBytesMax,
            @JsonProperty("pending-requests-max") int pendingRequestsMax,
            @JsonProperty("connections-max") int connectionsMax,
            @JsonProperty("txn-ops-max") int txnOpsMax,
            @JsonProperty("watches-per-connection-max") int watchesPerConnectionMax,
            @JsonProperty("watch-history-events-max") int watchHistoryEventsMax,
            @JsonProperty("watch-history-bytes-max") long watchHistoryBytesMax,
            @JsonProperty("watch-pending-bytes-max") long watchPendingBytesMax) {
        public static final LimitsConfig DEFAULTS = new LimitsConfig(1024 * 1024, 4096, 2 * 1024 * 1024 + 64 * 1024,
                10_000, 4096, 128, 10_000, 10_000, 64L * 1024 * 1024, 64L * 1024 * 1024);

        public LimitsConfig {
            if (watchesPerConnectionMax <= 0 || watchHistoryEventsMax <= 0 || watchHistoryBytesMax <= 0) {
                throw new IllegalArgumentException("limits.watches-per-connection-max, watch-history-events-max and "
                        + "watch-history-bytes-max must be positive");
            }
            if (watchPendingBytesMax < frameBytesMax) {
                throw new IllegalArgumentException("limits.watch-pending-bytes-max must be at least frame-bytes-max");
            }
            if (frameBytesMax < dataBytesMax + 4096) {
                throw new IllegalArgumentException("limits.frame-bytes-max must exceed data-bytes-max by at least 4096");
            }
            if (pendingRequestsMax <= 0 || connectionsMax <= 0) {
                throw new IllegalArgumentException("limits.pending-requests-max and connections-max must be positive");
            }
        }
    }

    public record ConsensusSettings(
            @JsonProperty("election-timeout-millis") long electionTimeoutMillis,
            @JsonProperty("heartbeat-interval-millis") long heartbeatIntervalMillis,
            @JsonProperty("proposal-timeout-millis") long proposalTimeoutMillis,
            @JsonProperty("sessions-per-member") int sessionsPerMember,
            @JsonProperty("segment-bytes-max") int segmentBytesMax) {
        public static final ConsensusSettings DEFAULTS = new ConsensusSettings(1000, 150, 3000, 4, 8 * 1024 * 1024);

        public ConsensusSettings {
            if (heartbeatIntervalMillis <= 0 || electionTimeoutMillis <= heartbeatIntervalMillis) {
                throw new IllegalArgumentException("consensus.election-timeout-millis must exceed heartbeat-interval-millis");
            }
            if (sessionsPerMember <= 0 || proposalTimeoutMillis <= 0 || segmentBytesMax <= 0) {
                throw new IllegalArgumentException("consensus: values must be positive");
            }
        }
    }

    /** How a member packs client requests into log entries. */
    public record BatchSettings(
            @JsonProperty("requests-max") int requestsMax,
            @JsonProperty("bytes-max") int bytesMax) {
        public static final BatchSettings DEFAULTS = new BatchSettings(1000, 1024 * 1024);

        public BatchSettings {
            if (requestsMax <= 0 || bytesMax <= 0) {
                throw new IllegalArgumentException("batch: values must be positive");
            }
        }
    }

    public record SessionSettings(
            @JsonProperty("ttl-millis-min") long ttlMillisMin,
            @JsonProperty("ttl-millis-max") long ttlMillisMax,
            @JsonProperty("tick-interval-millis") long tickIntervalMillis,
            @JsonProperty("dedup-window") int dedupWindow) {
        public static final SessionSettings DEFAULTS = new SessionSettings(2_000, 60_000, 250, 1024);

        public SessionSettings {
            if (ttlMillisMin <= 0 || ttlMillisMax < ttlMillisMin || tickIntervalMillis <= 0 || dedupWindow <= 0) {
                throw new IllegalArgumentException("sessions: invalid bounds");
            }
        }
    }

    /**
     * The HTTP gateway of this member (it listens on its {@code members[].http-port}; 0 = none). Its
     * request bodies are bounded by {@code limits.frame-bytes-max}, like a binary frame.
     */
    public record HttpSettings(
            @JsonProperty("initial-line-bytes-max") int initialLineBytesMax,
            @JsonProperty("header-bytes-max") int headerBytesMax,
            @JsonProperty("connections-max") int connectionsMax,
            @JsonProperty("idle-timeout-millis") long idleTimeoutMillis,
            @JsonProperty("peer-status-timeout-millis") long peerStatusTimeoutMillis,
            @JsonProperty("lock-wait-millis-max") long lockWaitMillisMax) {
        public static final HttpSettings DEFAULTS = new HttpSettings(8192, 16384, 1024, 60_000, 2_000, 60_000);

        public HttpSettings {
            if (initialLineBytesMax < 256 || headerBytesMax < 1024) {
                throw new IllegalArgumentException("http.initial-line-bytes-max must be at least 256 and header-bytes-max at least 1024");
            }
            if (connectionsMax <= 0 || idleTimeoutMillis <= 0 || peerStatusTimeoutMillis <= 0 || lockWaitMillisMax <= 0) {
                throw new IllegalArgumentException("http: values must be positive");
            }
        }
    }

    /** The replicated bounds: identical on every member, or they could disagree on a write. */
    public Limits coreLimits() {
        return new Limits(limits.dataBytesMax(), limits.pathLengthMax(), sessions.ttlMillisMin(),
                sessions.ttlMillisMax(), sessions.dedupWindow(), limits.txnOpsMax());
    }
}

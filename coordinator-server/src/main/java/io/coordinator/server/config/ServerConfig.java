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
        @JsonProperty("sessions") SessionSettings sessions) {

    public ServerConfig {
        Objects.requireNonNull(memberId, "member-id");
        Objects.requireNonNull(dataDir, "data-dir");
        members = List.copyOf(Objects.requireNonNull(members, "members"));
        limits = limits == null ? LimitsConfig.DEFAULTS : limits;
        consensus = consensus == null ? ConsensusSettings.DEFAULTS : consensus;
        batch = batch == null ? BatchSettings.DEFAULTS : batch;
        sessions = sessions == null ? SessionSettings.DEFAULTS : sessions;
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
            @JsonProperty("txn-ops-max") int txnOpsMax) {
        public static final LimitsConfig DEFAULTS = new LimitsConfig(1024 * 1024, 4096, 2 * 1024 * 1024 + 64 * 1024,
                10_000, 4096, 128);

        public LimitsConfig {
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
        public static final ConsensusSettings DEFAULTS = new ConsensusSettings(1000, 150, 3000, 4, 4 * 1024 * 1024);

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
        public static final BatchSettings DEFAULTS = new BatchSettings(1000, 4 * 1024 * 1024);

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

    /** The replicated bounds: identical on every member, or they could disagree on a write. */
    public Limits coreLimits() {
        return new Limits(limits.dataBytesMax(), limits.pathLengthMax(), sessions.ttlMillisMin(),
                sessions.ttlMillisMax(), sessions.dedupWindow(), limits.txnOpsMax());
    }
}

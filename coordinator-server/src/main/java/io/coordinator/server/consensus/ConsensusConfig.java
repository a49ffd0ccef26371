package io.coordinator.server.consensus;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a member's consensus adapter needs. Build with {@link #builder}; every bound has a
 * default and its unit in its name.
 *
 * @param memberId                 this member's id, one of {@code members}
 * @param host                     the interface the Raft port binds to (never 0.0.0.0 by default)
 * @param raftPort                 the member-to-member port
 * @param members                  every member id to its {@code host:port}, this member included
 * @param dataDirectory            where the log, snapshots and Raft metadata live
 * @param electionTimeoutMillis    a follower that hears no leader for 1x-2x this starts an election
 * @param heartbeatIntervalMillis  how often the leader heartbeats its followers
 * @param proposalTimeoutMillis    a proposal fails after this long: UNAVAILABLE if never sent, TIMEOUT if sent
 * @param readTimeoutMillis        a linearizable read fails with UNAVAILABLE after this long
 * @param sessionTimeoutMillis     an internal log session expires if not kept alive for this long
 *                                 (keep-alives go every half of it)
 * @param requestTimeoutMillis     a member-to-member request fails after this long without an answer
 * @param connectTimeoutMillis     opening a member-to-member connection fails after this long
 * @param sessionsPerMember        internal log sessions, hence proposals in flight, per member
 * @param queuedProposalsMax       proposals waiting for a free session beyond this fail at once
 * @param connectionsPerPeer       TCP connections this member opens to each other member
 * @param segmentBytesMax          size of one log segment file (preallocated)
 * @param entryBytesMax            largest log entry; a command must be about 1 KiB smaller
 * @param snapshotEntriesThreshold take a snapshot and compact once this many entries were applied
 *                                 since the last one (0: only when a full segment can be dropped)
 */
public record ConsensusConfig(
        String memberId,
        String host,
        int raftPort,
        Map<String, String> members,
        Path dataDirectory,
        long electionTimeoutMillis,
        long heartbeatIntervalMillis,
        long proposalTimeoutMillis,
        long readTimeoutMillis,
        long sessionTimeoutMillis,
        long requestTimeoutMillis,
        long connectTimeoutMillis,
        int sessionsPerMember,
        int queuedProposalsMax,
        int connectionsPerPeer,
        int segmentBytesMax,
        int entryBytesMax,
        long snapshotEntriesThreshold) {

    public static final long DEFAULT_ELECTION_TIMEOUT_MILLIS = 1000;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MILLIS = 150;
    public static final long DEFAULT_PROPOSAL_TIMEOUT_MILLIS = 3000;
    public static final long DEFAULT_READ_TIMEOUT_MILLIS = 3000;
    /**
     * Long, because each member's log client keeps its sessions alive with one log entry per
     * member every ~(timeout - 2.5 s): at 5 s that was 72 entries a minute on an idle 3-member
     * cluster, at 30 s it is about 6. A log session of a crashed member lingers this long, harmlessly.
     */
    public static final long DEFAULT_SESSION_TIMEOUT_MILLIS = 30_000;
    public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 2000;
    public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 1000;
    public static final int DEFAULT_SESSIONS_PER_MEMBER = 4;
    public static final int DEFAULT_QUEUED_PROPOSALS_MAX = 1024;
    public static final int DEFAULT_CONNECTIONS_PER_PEER = 2;
    public static final int DEFAULT_SEGMENT_BYTES_MAX = 8 * 1024 * 1024;
    public static final int DEFAULT_ENTRY_BYTES_MAX = 2 * 1024 * 1024;
    public static final long DEFAULT_SNAPSHOT_ENTRIES_THRESHOLD = 100_000;

    /** Room a log entry needs beyond its command bytes (entry header and serialization). */
    public static final int ENTRY_OVERHEAD_BYTES = 1024;
    public static final int SESSIONS_PER_MEMBER_MAX = 64;
    public static final int CONNECTIONS_PER_PEER_MAX = 16;

    public ConsensusConfig {
        requireText(memberId, "memberId");
        requireText(host, "host");
        requirePort(raftPort, "raftPort");
        Objects.requireNonNull(members, "members");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        TreeMap<String, String> sorted = new TreeMap<>();
        members.forEach((id, address) -> {
            requireText(id, "members: id");
            parseAddress(id, address);
            sorted.put(id, address);
        });
        members = Collections.unmodifiableMap(sorted);
        String self = members.get(memberId);
        if (self == null) {
            throw new IllegalArgumentException("members: must contain this member '" + memberId + "'");
        }
        if (!self.equals(host + ":" + raftPort)) {
            throw new IllegalArgumentException("members: '" + memberId + "' is " + self + " but host:raftPort is "
                    + host + ":" + raftPort);
        }
        requirePositive(heartbeatIntervalMillis, "heartbeatIntervalMillis");
        if (electionTimeoutMillis <= heartbeatIntervalMillis) {
            throw new IllegalArgumentException("electionTimeoutMillis must exceed heartbeatIntervalMillis");
        }
        if (sessionTimeoutMillis <= electionTimeoutMillis) {
            throw new IllegalArgumentException("sessionTimeoutMillis must exceed electionTimeoutMillis");
        }
        requirePositive(proposalTimeoutMillis, "proposalTimeoutMillis");
        requirePositive(readTimeoutMillis, "readTimeoutMillis");
        requirePositive(requestTimeoutMillis, "requestTimeoutMillis");
        requirePositive(connectTimeoutMillis, "connectTimeoutMillis");
        requireRange(sessionsPerMember, 1, SESSIONS_PER_MEMBER_MAX, "sessionsPerMember");
        requireRange(queuedProposalsMax, 1, Integer.MAX_VALUE, "queuedProposalsMax");
        requireRange(connectionsPerPeer, 1, CONNECTIONS_PER_PEER_MAX, "connectionsPerPeer");
        requireRange(entryBytesMax, 2 * ENTRY_OVERHEAD_BYTES, Integer.MAX_VALUE / 4, "entryBytesMax");
        if (segmentBytesMax < entryBytesMax + ENTRY_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("segmentBytesMax must hold at least one entry of entryBytesMax");
        }
        if (snapshotEntriesThreshold < 0) {
            throw new IllegalArgumentException("snapshotEntriesThreshold must not be negative");
        }
    }

    /** The largest command {@link ReplicatedLog#propose} accepts. */
    public int commandBytesMax() {
        return entryBytesMax - ENTRY_OVERHEAD_BYTES;
    }

    public static Builder builder(String memberId, String host, int raftPort, Map<String, String> members,
                                  Path dataDirectory) {
        return new Builder(memberId, host, raftPort, members, dataDirectory);
    }

    /** Splits a {@code host:port} member address; the port is after the last colon. */
    public static Address parseAddress(String memberId, String address) {
        Objects.requireNonNull(address, "members: address of " + memberId);
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("members: address of " + memberId + " must be host:port, got " + address);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("members: bad port in " + address + " for " + memberId, e);
        }
        requirePort(port, "members: port of " + memberId);
        return new Address(address.substring(0, colon), port);
    }

    public record Address(String host, int port) {
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private static void requirePort(int port, String name) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException(name + ": port " + port + " is out of range 1..65535");
        }
    }

    private static void requirePositive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void requireRange(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", got " + value);
        }
    }

    public static final class Builder {
        private final String memberId;
        private final String host;
        private final int raftPort;
        private final Map<String, String> members;
        private final Path dataDirectory;
        private long electionTimeoutMillis = DEFAULT_ELECTION_TIMEOUT_MILLIS;
        private long heartbeatIntervalMillis = DEFAULT_HEARTBEAT_INTERVAL_MILLIS;
        private long proposalTimeoutMillis = DEFAULT_PROPOSAL_TIMEOUT_MILLIS;
        private long readTimeoutMillis = DEFAULT_READ_TIMEOUT_MILLIS;
        private long sessionTimeoutMillis = DEFAULT_SESSION_TIMEOUT_MILLIS;
        private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
        private long connectTimeoutMillis = DEFAULT_CONNECT_TIMEOUT_MILLIS;
        private int sessionsPerMember = DEFAULT_SESSIONS_PER_MEMBER;
        private int queuedProposalsMax = DEFAULT_QUEUED_PROPOSALS_MAX;
        private int connectionsPerPeer = DEFAULT_CONNECTIONS_PER_PEER;
        private int segmentBytesMax = DEFAULT_SEGMENT_BYTES_MAX;
        private int entryBytesMax = DEFAULT_ENTRY_BYTES_MAX;
        private long snapshotEntriesThreshold = DEFAULT_SNAPSHOT_ENTRIES_THRESHOLD;

        private Builder(String memberId, String host, int raftPort, Map<String, String> members, Path dataDirectory) {
            this.memberId = memberId;
            this.host = host;
            this.raftPort = raftPort;
            this.members = members;
            this.dataDirectory = dataDirectory;
        }

        public Builder electionTimeoutMillis(long value) {
            this.electionTimeoutMillis = value;
            return this;
        }

        public Builder heartbeatIntervalMillis(long value) {
            this.heartbeatIntervalMillis = value;
            return this;
        }

        public Builder proposalTimeoutMillis(long value) {
            this.proposalTimeoutMillis = value;
            return this;
        }

        public Builder readTimeoutMillis(long value) {
            this.readTimeoutMillis = value;
            return this;
        }

        public Builder sessionTimeoutMillis(long value) {
            this.sessionTimeoutMillis = value;
            return this;
        }

        public Builder requestTimeoutMillis(long value) {
            this.requestTimeoutMillis = value;
            return this;
        }

        public Builder connectTimeoutMillis(long value) {
            this.connectTimeoutMillis = value;
            return this;
        }

        public Builder sessionsPerMember(int value) {
            this.sessionsPerMember = value;
            return this;
        }

        public Builder queuedProposalsMax(int value) {
            this.queuedProposalsMax = value;
            return this;
        }

        public Builder connectionsPerPeer(int value) {
            this.connectionsPerPeer = value;
            return this;
        }

        /** If {@code entryBytesMax} is left at its default and does not fit, it becomes half a segment. */
        public Builder segmentBytesMax(int value) {
            this.segmentBytesMax = value;
            return this;
        }

        public Builder entryBytesMax(int value) {
            this.entryBytesMax = value;
            return this;
        }

        public Builder snapshotEntriesThreshold(long value) {
            this.snapshotEntriesThreshold = value;
            return this;
        }

        public ConsensusConfig build() {
            int entry = entryBytesMax;
            if (entry == DEFAULT_ENTRY_BYTES_MAX && segmentBytesMax < entry + ENTRY_OVERHEAD_BYTES) {
                entry = segmentBytesMax / 2;
            }
            return new ConsensusConfig(memberId, host, raftPort, members, dataDirectory, electionTimeoutMillis,
                    heartbeatIntervalMillis, proposalTimeoutMillis, readTimeoutMillis, sessionTimeoutMillis,
                    requestTimeoutMillis, connectTimeoutMillis, sessionsPerMember, queuedProposalsMax,
                    connectionsPerPeer, segmentBytesMax, entry, snapshotEntriesThreshold);
        }
    }
}

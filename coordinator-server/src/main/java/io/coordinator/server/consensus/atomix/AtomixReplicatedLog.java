package io.coordinator.server.consensus.atomix;

import io.atomix.cluster.MemberId;
import io.atomix.primitive.Recovery;
import io.atomix.primitive.partition.PartitionId;
import io.atomix.primitive.service.ServiceConfig;
import io.atomix.primitive.session.SessionClient;
import io.atomix.protocols.raft.RaftClient;
import io.atomix.protocols.raft.RaftServer;
import io.atomix.protocols.raft.ReadConsistency;
import io.atomix.protocols.raft.cluster.impl.DefaultRaftMember;
import io.atomix.protocols.raft.impl.DefaultRaftServer;
import io.atomix.protocols.raft.impl.RaftContext;
import io.atomix.protocols.raft.partition.impl.RaftNamespaces;
import io.atomix.protocols.raft.session.CommunicationStrategy;
import io.atomix.protocols.raft.storage.RaftStorage;
import io.atomix.protocols.raft.storage.snapshot.Snapshot;
import io.atomix.storage.StorageLevel;
import io.atomix.utils.concurrent.ThreadModel;
import io.coordinator.server.consensus.ConsensusConfig;
import io.coordinator.server.consensus.ConsensusException;
import io.coordinator.server.consensus.LogStateMachine;
import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.consensus.ReplicatedLog;
import io.coordinator.server.consensus.transport.FrameTransport;
import io.coordinator.server.consensus.transport.TransportSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ReplicatedLog} on atomix-raft 3.1.12. Each member runs an Atomix Raft server and, in the
 * same process, an Atomix Raft client whose log sessions carry this member's proposals and reads.
 *
 * <p>Parts: {@link FrameTransport} (our own Netty transport: Atomix ships none usable here) with
 * {@link TransportServerProtocol}/{@link TransportClientProtocol}; {@link LogService}, the
 * Atomix service that applies the log to the {@link LogStateMachine}; {@link SessionPool}, one
 * command in flight per session; {@link LogDurability}, fsync before commit;
 * {@link LeadershipTracker}, safe reads and fast sequencing on a new leader; {@link Compactor},
 * snapshot now; {@link StaticMembershipService}, which turns "peer process gone" into an immediate
 * election instead of waiting out the election timeout.
 *
 * <p>No Atomix type leaves this package.
 */
public final class AtomixReplicatedLog implements ReplicatedLog {
    private static final Logger log = LoggerFactory.getLogger(AtomixReplicatedLog.class);

    /** Atomix logs every role change and election at INFO under its own names; we log ours. */
    private static final String ATOMIX_LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.log.io.atomix";
    private static final String DURABLE_CONTEXT_LOG_LEVEL_PROPERTY =
            "org.slf4j.simpleLogger.log." + DurableRaftContext.class.getName();
    private static final String PARTITION_GROUP = "coordinator";
    private static final int ATOMIX_THREAD_POOL_SIZE = 4;
    private static final int IO_THREADS = 2;
    private static final int FRAME_OVERHEAD_BYTES = 1024 * 1024;
    private static final long SNAPSHOT_CHECK_INTERVAL_MILLIS = 1000;
    private static final long SHUTDOWN_STEP_WAIT_MILLIS = 5000;
    private static final String DIRECTORY_LOCK_FILE = "member.lock";
    /**
     * One-way, ours rather than Atomix's (outside {@link RaftRpc}'s numbers): a leader that stepped
     * down for want of a quorum tells its followers, so they poll now instead of waiting out their
     * election timeout; after a one-way cut they may still be hearing its heartbeats.
     */
    static final int RESIGNED_MESSAGE_TYPE = 100;

    static {
        // Effective with slf4j-simple, harmless otherwise; an explicit setting wins.
        if (System.getProperty(ATOMIX_LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(ATOMIX_LOG_LEVEL_PROPERTY, "warn");
        }
        // Atomix's RaftContext logs under its runtime class, which is ours: the same rule applies.
        if (System.getProperty(DURABLE_CONTEXT_LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(DURABLE_CONTEXT_LOG_LEVEL_PROPERTY, "warn");
        }
    }

    private final ConsensusConfig config;
    private final List<MemberId> memberIds;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService completions;
    private final FrameTransport transport;
    private final LogDurability durability = new LogDurability();
    private final CommitAnnouncer commits = new CommitAnnouncer();
    private final QuorumCheck quorum;
    private final long quorumCheckIntervalMillis;
    private final TransportServerProtocol serverProtocol;
    private final TransportClientProtocol clientProtocol;
    private final StaticMembershipService membership;
    private final LeadershipTracker leadership;
    private final LogPrimitiveType primitiveType;
    private final Compactor compactor;
    private final SessionPool sessions;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    /** What callers of start() get: completed off Atomix's threads. */
    private final CompletableFuture<Void> startedForCallers;

    private final Object lifecycle = new Object();
    private boolean starting;
    private volatile boolean closed;
    private volatile RaftContext raft;
    private volatile RaftClient client;
    private FileLock directoryLock;

    private AtomixReplicatedLog(ConsensusConfig config, LogStateMachine stateMachine) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(stateMachine, "stateMachine");
        RaftEndpoints.checkIds(config.members().keySet());
        this.memberIds = config.members().keySet().stream().map(MemberId::from).toList();
        String id = config.memberId();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("consensus-" + id + "-timer"));
        this.completions = Executors.newSingleThreadExecutor(daemonThreads("consensus-" + id + "-callbacks"));

        Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
        config.members().forEach((member, address) -> {
            ConsensusConfig.Address parsed = ConsensusConfig.parseAddress(member, address);
            peers.put(member, InetSocketAddress.createUnresolved(parsed.host(), parsed.port()));
        });
        TransportSettings settings = new TransportSettings(config.connectionsPerPeer(), config.requestTimeoutMillis(),
                config.connectTimeoutMillis(), 2 * config.entryBytesMax() + FRAME_OVERHEAD_BYTES, IO_THREADS);
        this.transport = new FrameTransport(id, new InetSocketAddress(config.host(), config.raftPort()), peers, settings);
        RaftEndpoints endpoints = new RaftEndpoints(transport, config.members().keySet());
        // Checked every quarter heartbeat over a window one check shorter than the election timeout,
        // so that a leader steps down within one election timeout of its last answer from a majority.
        this.quorumCheckIntervalMillis = Math.max(1, config.heartbeatIntervalMillis() / 4);
        this.quorum = new QuorumCheck(config.members().keySet().stream().filter(member -> !member.equals(id)).toList(),
                config.electionTimeoutMillis() - quorumCheckIntervalMillis, System::nanoTime);
        this.serverProtocol = new TransportServerProtocol(endpoints, durability, commits, quorum);
        this.clientProtocol = new TransportClientProtocol(endpoints);

        this.membership = new StaticMembershipService(config);
        transport.addUnreachableListener(this::onPeerUnreachable);
        transport.registerMessageHandler(RESIGNED_MESSAGE_TYPE, this::onPeerResigned);
        this.leadership = new LeadershipTracker(id, stateMachine::appliedRevision, this::onLeaderKnown);
        this.primitiveType = new LogPrimitiveType(stateMachine, leadership::readyForLinearizableReads);
        this.compactor = new Compactor(id, primitiveType::failedBackups);
        this.sessions = new SessionPool(id, config.sessionsPerMember(), this::openSession, scheduler, completions,
                config.proposalTimeoutMillis(), config.readTimeoutMillis(), config.queuedProposalsMax(),
                config.commandBytesMax());
        this.startedForCallers = started.handleAsync((ignored, error) -> {
            if (error != null) {
                throw error instanceof java.util.concurrent.CompletionException completion ? completion
                        : new java.util.concurrent.CompletionException(error);
            }
            return null;
        }, completions);
    }

    /**
     * A member that is not started yet: nothing is bound, and no file opened, until {@link #start()}.
     * Close it even if it is never started (it holds idle thread pools).
     */
    public static AtomixReplicatedLog create(ConsensusConfig config, LogStateMachine stateMachine) {
        return new AtomixReplicatedLog(config, stateMachine);
    }

    @Override
    public CompletableFuture<Void> start() {
        synchronized (lifecycle) {
            if (closed) {
                return CompletableFuture.failedFuture(ConsensusException.unavailable("member " + id() + " is closed"));
            }
            if (starting) {
                return startedForCallers;
            }
            starting = true;
            try {
                startServerAndClient();
            } catch (IOException | RuntimeException e) {
                log.error("member={} cannot start", id(), e);
                started.completeExceptionally(e);
            }
        }
        if (started.isCompletedExceptionally()) {
            close(); // a member that failed to start is done: release what it acquired
            return startedForCallers;
        }
        RaftServer server = new DefaultRaftServer(raft);
        RaftClient logClient = client;
        server.bootstrap(memberIds)
                .thenCompose(ready -> logClient.connect(memberIds))
                .thenCompose(connected -> sessions.open())
                .whenComplete((ignored, error) -> {
                    if (error == null) {
                        log.info("member={} term={} started; leader={}", id(), raft.getTerm(), status().leaderId());
                        started.complete(null);
                    } else {
                        started.completeExceptionally(error);
                    }
                });
        try {
            scheduler.scheduleWithFixedDelay(this::snapshotIfDue, SNAPSHOT_CHECK_INTERVAL_MILLIS,
                    SNAPSHOT_CHECK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(this::checkQuorum, quorumCheckIntervalMillis, quorumCheckIntervalMillis,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile: started fails
        }
        return startedForCallers;
    }

    private void startServerAndClient() throws IOException {
        Files.createDirectories(config.dataDirectory());
        directoryLock = lockDirectory(config.dataDirectory());
        transport.start();
        RaftContext context = new DurableRaftContext(
                id(),
                MemberId.from(id()),
                membership,
                serverProtocol,
                storage(),
                primitiveType,
                ThreadModel.SHARED_THREAD_POOL.factory("raft-server-" + id() + "-%d", ATOMIX_THREAD_POOL_SIZE, log),
                durability);
        context.setElectionTimeout(Duration.ofMillis(config.electionTimeoutMillis()));
        context.setHeartbeatInterval(Duration.ofMillis(config.heartbeatIntervalMillis()));
        context.setSessionTimeout(Duration.ofMillis(config.sessionTimeoutMillis()));
        durability.attach(context);
        context.addRoleChangeListener(role -> {
            if (role == RaftServer.Role.LEADER) {
                quorum.becameLeader();
            } else {
                quorum.stoppedLeading();
            }
        });
        commits.attach(context);
        leadership.attach(context);
        raft = context;
        MemberId clientId = RaftEndpoints.clientIdOf(id());
        client = RaftClient.builder(memberIds)
                .withClientId(clientId.id())
                .withMemberId(clientId)
                .withPartitionId(PartitionId.from(PARTITION_GROUP, 1))
                .withProtocol(clientProtocol)
                .withThreadModel(ThreadModel.SHARED_THREAD_POOL)
                .withThreadPoolSize(ATOMIX_THREAD_POOL_SIZE)
                .build();
    }

    /**
     * Atomix's own storage lock only stops a member with a different id from using the directory;
     * two processes of the same member would both write the log. An OS file lock stops that.
     */
    private static FileLock lockDirectory(Path directory) throws IOException {
        FileChannel channel = FileChannel.open(directory.resolve(DIRECTORY_LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("data directory " + directory + " is in use by another running member");
        }
        return lock;
    }

    private RaftStorage storage() {
        return RaftStorage.builder()
                .withPrefix("raft")
                .withDirectory(config.dataDirectory().toFile())
                // MAPPED, not DISK: with DISK every Atomix log reader that reaches the end of the log
                // (each follower's appender, the state machine's reader) re-reads 2 x entryBytesMax of
                // the preallocated segment on every hasNext(), several MB of zeros per proposal on the
                // Raft thread: that was most of a write's latency. Durability is unchanged: the
                // writer's flush() is MappedByteBuffer.force() (msync MS_SYNC); see LogDurability.
                .withStorageLevel(StorageLevel.MAPPED)
                .withNamespace(RaftNamespaces.RAFT_STORAGE)
                .withMaxSegmentSize(config.segmentBytesMax())
                .withMaxEntrySize(config.entryBytesMax())
                // Ignored by Atomix 3.1.12 (RaftLog never hands it to its journal); LogDurability
                // and DurableRaftContext force the log instead.
                .withFlushOnCommit(true)
                .withDynamicCompaction(true)
                .build();
    }

    private CompletableFuture<SessionClient> openSession() {
        RaftClient logClient = client;
        if (logClient == null || closed) {
            return CompletableFuture.failedFuture(ConsensusException.unavailable("member " + id() + " is not running"));
        }
        Duration timeout = Duration.ofMillis(config.sessionTimeoutMillis());
        return logClient.sessionBuilder(LogPrimitiveType.SERVICE_NAME, primitiveType, new ServiceConfig())
                .withReadConsistency(ReadConsistency.LINEARIZABLE)
                .withCommunicationStrategy(CommunicationStrategy.LEADER)
                .withRecoveryStrategy(Recovery.CLOSE)
                .withMaxRetries(0)
                .withMinTimeout(timeout)
                .withMaxTimeout(timeout)
                .build()
                .connect();
    }

    @Override
    public CompletableFuture<byte[]> propose(byte[] command) {
        Objects.requireNonNull(command, "command");
        return sessions.propose(command);
    }

    @Override
    public CompletableFuture<byte[]> read(byte[] query) {
        Objects.requireNonNull(query, "query");
        return sessions.read(query);
    }

    @Override
    public int maxProposalsInFlight() {
        return sessions.commandSessions();
    }

    /** Log forces so far; for the durability tests. */
    long logForces() {
        return durability.forces();
    }

    /** Every log entry up to this index is on this member's disk; for the durability tests. */
    long durableIndex() {
        return durability.durableIndex();
    }

    /** Log sessions that expired or closed and were replaced since start; for tests and metrics. */
    int sessionReplacements() {
        return sessions.replacements();
    }

    @Override
    public MemberStatus status() {
        RaftContext context = raft;
        if (context == null || closed) {
            return MemberStatus.inactive(id());
        }
        DefaultRaftMember leader = context.getLeader();
        return new MemberStatus(id(), role(context.getRole()), context.getTerm(),
                leader == null ? null : leader.memberId().id(), context.getCommitIndex(), context.getLastApplied());
    }

    @Override
    public CompletableFuture<Void> compact() {
        RaftContext context = raft;
        if (context == null || closed) {
            return CompletableFuture.failedFuture(ConsensusException.unavailable("member " + id() + " is not running"));
        }
        return compactor.compact(context).thenApplyAsync(index -> null, completions);
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RaftContext context = raft;
        log.info("member={} term={} closing", id(), context == null ? 0 : context.getTerm());
        sessions.close();
        // First the transport: peers see the connections drop at once and elect without waiting.
        transport.close();
        RaftClient logClient = client;
        if (logClient != null) {
            awaitQuietly(logClient.close(), "log client");
        }
        if (context != null) {
            stopRaft(context);
        }
        releaseDirectory();
        started.completeExceptionally(ConsensusException.unavailable("member " + id() + " closed"));
        scheduler.shutdownNow();
        // Not awaited: close() may be called from a callback on this very executor. The failures
        // queued above are still delivered; then its thread ends.
        completions.shutdown();
        log.info("member={} closed", id());
    }

    /** What DefaultRaftServer.shutdown() does, but also for a server that never finished starting. */
    private void stopRaft(RaftContext context) {
        CompletableFuture<Void> inactive = new CompletableFuture<>();
        try {
            context.getThreadContext().execute(() -> {
                try {
                    context.transition(RaftServer.Role.INACTIVE);
                } catch (RuntimeException e) {
                    log.warn("member={} error while stopping Raft", id(), e);
                } finally {
                    inactive.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            inactive.complete(null);
        }
        awaitQuietly(inactive, "Raft role shutdown");
        try {
            context.close();
        } catch (RuntimeException e) {
            log.warn("member={} error while closing Raft storage", id(), e);
        }
    }

    private void releaseDirectory() {
        FileLock lock;
        synchronized (lifecycle) {
            lock = directoryLock;
            directoryLock = null;
        }
        if (lock != null) {
            try {
                lock.release();
                lock.channel().close();
            } catch (IOException e) {
                log.warn("member={} cannot release the data directory lock", id(), e);
            }
        }
    }

    private void awaitQuietly(CompletableFuture<?> future, String what) {
        try {
            future.get(SHUTDOWN_STEP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("member={} {} did not stop cleanly: {}", id(), what, e.toString());
        }
    }

    private void snapshotIfDue() {
        RaftContext context = raft;
        long threshold = config.snapshotEntriesThreshold();
        if (context == null || closed || threshold == 0) {
            return;
        }
        Snapshot current = context.getSnapshotStore().getCurrentSnapshot();
        long snapshotIndex = current == null ? 0 : current.index();
        if (context.getLastApplied() - snapshotIndex >= threshold) {
            compactor.compact(context).whenComplete((index, error) -> {
                if (error != null) {
                    log.warn("member={} scheduled compaction failed", id(), error);
                }
            });
        }
    }

    /** Timer thread: a leader that lost its quorum steps down, on the Raft thread. */
    private void checkQuorum() {
        RaftContext context = raft;
        if (context == null || closed || !quorum.quorumLost()) {
            return;
        }
        try {
            context.getThreadContext().execute(() -> {
                if (context.getRole() != RaftServer.Role.LEADER || !quorum.quorumLost()) {
                    return;
                }
                long term = context.getTerm();
                log.warn("member={} term={} applied-index={} stepping down: heard from {} of {} members within the "
                                + "last {} ms", id(), term, context.getLastApplied(), quorum.reachable(), quorum.members(),
                        config.electionTimeoutMillis() - quorumCheckIntervalMillis);
                quorum.stoppedLeading();
                context.setLeader(null);
                context.transition(RaftServer.Role.FOLLOWER);
                byte[] resigned = resignedMessage(id(), term);
                for (String peer : config.members().keySet()) {
                    if (!peer.equals(id())) {
                        transport.send(peer, RaftRpc.Lane.RAFT.ordinal(), RESIGNED_MESSAGE_TYPE, resigned);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Netty thread: a peer says it stopped leading; if it led us in that term, poll at once. */
    private void onPeerResigned(byte[] payload) {
        String peer;
        long term;
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(payload))) {
            peer = in.readUTF();
            term = in.readLong();
        } catch (IOException e) {
            log.warn("member={} ignored a malformed resignation: {}", id(), e.toString());
            return;
        }
        RaftContext context = raft;
        if (context == null || closed) {
            return;
        }
        try {
            context.getThreadContext().execute(() -> {
                DefaultRaftMember leader = context.getLeader();
                if (context.getTerm() == term && leader != null && leader.memberId().id().equals(peer)) {
                    // Every follower hears this at about the same time: a random delay of up to half
                    // an election timeout keeps two of them from polling at once and splitting the
                    // vote (a spread of one heartbeat was not enough on a loaded machine).
                    long delayMillis = java.util.concurrent.ThreadLocalRandom.current()
                            .nextLong(Math.max(1, config.electionTimeoutMillis() / 2));
                    log.info("member={} term={} leader {} resigned for want of a quorum; polling in {} ms", id(), term,
                            peer, delayMillis);
                    try {
                        scheduler.schedule(() -> membership.reportDown(peer), delayMillis, TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException e) {
                        // closing
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    static byte[] resignedMessage(String memberId, long term) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeUTF(memberId);
            out.writeLong(term);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Raft thread: this member learned who leads. Tells the co-located log client (off the Raft
     * thread), then abandons its requests still waiting on other members: Atomix's client keeps
     * sending to the member it last reached until a request fails, so a command sent to a leader
     * that was cut off would otherwise wait out the whole request timeout. Re-sending is safe:
     * the leader recognizes a command it already has by its session sequence number.
     */
    private void onLeaderKnown(MemberId leader) {
        try {
            scheduler.execute(() -> {
                clientProtocol.announceLeader(leader, memberIds);
                int abandoned = transport.abandonRequests(RaftRpc.Lane.CLIENT.ordinal(), leader.id(),
                        "leader is now " + leader.id());
                if (abandoned > 0) {
                    log.debug("member={} re-sending {} log client requests to the new leader {}", id(), abandoned, leader.id());
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Netty thread: a peer dropped its connections and refuses new ones. Followers of that peer
     * start an election at once; the random delay (under one heartbeat) keeps two followers from
     * splitting the vote by polling at the same instant.
     */
    private void onPeerUnreachable(String peer) {
        long delayMillis = java.util.concurrent.ThreadLocalRandom.current().nextLong(config.heartbeatIntervalMillis());
        try {
            scheduler.schedule(() -> membership.reportDown(peer), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private String id() {
        return config.memberId();
    }

    private static MemberStatus.Role role(RaftServer.Role role) {
        return switch (role) {
            case LEADER -> MemberStatus.Role.LEADER;
            case CANDIDATE -> MemberStatus.Role.CANDIDATE;
            case FOLLOWER -> MemberStatus.Role.FOLLOWER;
            case PASSIVE -> MemberStatus.Role.PASSIVE;
            case PROMOTABLE -> MemberStatus.Role.PROMOTABLE;
            case INACTIVE -> MemberStatus.Role.INACTIVE;
        };
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, count.getAndIncrement() == 0 ? name : name + "-" + count.get());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** See {@link FastPaths}. */
    @Override
    public Map<String, Boolean> fastPaths() {
        return FastPaths.report(commits, compactor);
    }

    @Override
    public String toString() {
        return "AtomixReplicatedLog[" + id() + "]";
    }
}

package io.coordinator.server.consensus.atomix;

import io.atomix.cluster.MemberId;
import io.atomix.primitive.session.SessionId;
import io.atomix.protocols.raft.protocol.AppendRequest;
import io.atomix.protocols.raft.protocol.AppendResponse;
import io.atomix.protocols.raft.protocol.CloseSessionRequest;
import io.atomix.protocols.raft.protocol.CloseSessionResponse;
import io.atomix.protocols.raft.protocol.CommandRequest;
import io.atomix.protocols.raft.protocol.CommandResponse;
import io.atomix.protocols.raft.protocol.ConfigureRequest;
import io.atomix.protocols.raft.protocol.ConfigureResponse;
import io.atomix.protocols.raft.protocol.HeartbeatRequest;
import io.atomix.protocols.raft.protocol.HeartbeatResponse;
import io.atomix.protocols.raft.protocol.InstallRequest;
import io.atomix.protocols.raft.protocol.InstallResponse;
import io.atomix.protocols.raft.protocol.JoinRequest;
import io.atomix.protocols.raft.protocol.JoinResponse;
import io.atomix.protocols.raft.protocol.KeepAliveRequest;
import io.atomix.protocols.raft.protocol.KeepAliveResponse;
import io.atomix.protocols.raft.protocol.LeaveRequest;
import io.atomix.protocols.raft.protocol.LeaveResponse;
import io.atomix.protocols.raft.protocol.MetadataRequest;
import io.atomix.protocols.raft.protocol.MetadataResponse;
import io.atomix.protocols.raft.protocol.OpenSessionRequest;
import io.atomix.protocols.raft.protocol.OpenSessionResponse;
import io.atomix.protocols.raft.protocol.PollRequest;
import io.atomix.protocols.raft.protocol.PollResponse;
import io.atomix.protocols.raft.protocol.PublishRequest;
import io.atomix.protocols.raft.protocol.QueryRequest;
import io.atomix.protocols.raft.protocol.QueryResponse;
import io.atomix.protocols.raft.protocol.RaftServerProtocol;
import io.atomix.protocols.raft.protocol.ReconfigureRequest;
import io.atomix.protocols.raft.protocol.ReconfigureResponse;
import io.atomix.protocols.raft.protocol.ResetRequest;
import io.atomix.protocols.raft.protocol.TransferRequest;
import io.atomix.protocols.raft.protocol.TransferResponse;
import io.atomix.protocols.raft.protocol.VoteRequest;
import io.atomix.protocols.raft.protocol.VoteResponse;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Atomix's server-side Raft protocol over our {@link io.coordinator.server.consensus.transport.FrameTransport}.
 *
 * <p>Besides carrying messages, this is where entries are made durable before they count toward a
 * commit (see {@link LogDurability}): a leader syncs its log before an AppendRequest with entries
 * leaves, a follower syncs before it acknowledges one. And where a leader tells followers a new
 * commit index without waiting for the next heartbeat (see {@link CommitAnnouncer}).
 *
 * <p>Leadership transfer is not used by this adapter and is not carried.
 */
final class TransportServerProtocol implements RaftServerProtocol {
    private final RaftEndpoints endpoints;
    private final LogDurability durability;
    private final CommitAnnouncer commits;
    private final QuorumCheck quorum;
    private final Map<Long, Consumer<ResetRequest>> resetListeners = new ConcurrentHashMap<>();

    TransportServerProtocol(RaftEndpoints endpoints, LogDurability durability, CommitAnnouncer commits,
                            QuorumCheck quorum) {
        this.endpoints = endpoints;
        this.durability = durability;
        this.commits = commits;
        this.quorum = quorum;
        endpoints.<ResetRequest>listen(RaftRpc.RESET, request -> {
            Consumer<ResetRequest> listener = resetListeners.get(request.session());
            if (listener != null) {
                listener.accept(request);
            }
        });
    }

    @Override
    public CompletableFuture<OpenSessionResponse> openSession(MemberId memberId, OpenSessionRequest request) {
        return endpoints.request(memberId, RaftRpc.OPEN_SESSION, request);
    }

    @Override
    public CompletableFuture<CloseSessionResponse> closeSession(MemberId memberId, CloseSessionRequest request) {
        return endpoints.request(memberId, RaftRpc.CLOSE_SESSION, request);
    }

    @Override
    public CompletableFuture<KeepAliveResponse> keepAlive(MemberId memberId, KeepAliveRequest request) {
        return endpoints.request(memberId, RaftRpc.KEEP_ALIVE, request);
    }

    @Override
    public CompletableFuture<QueryResponse> query(MemberId memberId, QueryRequest request) {
        return endpoints.request(memberId, RaftRpc.QUERY, request);
    }

    @Override
    public CompletableFuture<CommandResponse> command(MemberId memberId, CommandRequest request) {
        return endpoints.request(memberId, RaftRpc.COMMAND, request);
    }

    @Override
    public CompletableFuture<MetadataResponse> metadata(MemberId memberId, MetadataRequest request) {
        return endpoints.request(memberId, RaftRpc.METADATA, request);
    }

    @Override
    public CompletableFuture<JoinResponse> join(MemberId memberId, JoinRequest request) {
        return endpoints.request(memberId, RaftRpc.JOIN, request);
    }

    @Override
    public CompletableFuture<LeaveResponse> leave(MemberId memberId, LeaveRequest request) {
        return endpoints.request(memberId, RaftRpc.LEAVE, request);
    }

    @Override
    public CompletableFuture<ConfigureResponse> configure(MemberId memberId, ConfigureRequest request) {
        return endpoints.request(memberId, RaftRpc.CONFIGURE, request);
    }

    @Override
    public CompletableFuture<ReconfigureResponse> reconfigure(MemberId memberId, ReconfigureRequest request) {
        return endpoints.request(memberId, RaftRpc.RECONFIGURE, request);
    }

    @Override
    public CompletableFuture<InstallResponse> install(MemberId memberId, InstallRequest request) {
        return endpoints.request(memberId, RaftRpc.INSTALL, request);
    }

    @Override
    public CompletableFuture<TransferResponse> transfer(MemberId memberId, TransferRequest request) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("leadership transfer is not carried"));
    }

    @Override
    public CompletableFuture<PollResponse> poll(MemberId memberId, PollRequest request) {
        return endpoints.request(memberId, RaftRpc.POLL, request);
    }

    @Override
    public CompletableFuture<VoteResponse> vote(MemberId memberId, VoteRequest request) {
        return endpoints.request(memberId, RaftRpc.VOTE, request);
    }

    @Override
    public CompletableFuture<AppendResponse> append(MemberId memberId, AppendRequest request) {
        commits.sending(memberId, request.commitIndex());
        CompletableFuture<AppendResponse> answer = endpoints.request(memberId, RaftRpc.APPEND, request);
        if (!request.entries().isEmpty()) {
            // The leader's own force runs while the followers append and force theirs, not before it.
            durability.afterReplicating();
        }
        // Atomix handles the answer on the Raft thread; the announcer's check is queued behind that.
        CompletableFuture<AppendResponse> toRaft = new CompletableFuture<>();
        answer.whenComplete((response, error) -> {
            if (error == null) {
                quorum.answered(memberId.id());
                toRaft.complete(response);
                commits.answered();
            } else {
                toRaft.completeExceptionally(error);
            }
        });
        return toRaft;
    }

    @Override
    public CompletableFuture<HeartbeatResponse> heartbeat(MemberId memberId, HeartbeatRequest request) {
        return endpoints.request(memberId, RaftRpc.HEARTBEAT, request);
    }

    @Override
    public void publish(MemberId memberId, PublishRequest request) {
        endpoints.send(memberId, RaftRpc.PUBLISH, request);
    }

    @Override
    public void registerOpenSessionHandler(Function<OpenSessionRequest, CompletableFuture<OpenSessionResponse>> handler) {
        endpoints.serve(RaftRpc.OPEN_SESSION, handler);
    }

    @Override
    public void unregisterOpenSessionHandler() {
        endpoints.stopServing(RaftRpc.OPEN_SESSION);
    }

    @Override
    public void registerCloseSessionHandler(Function<CloseSessionRequest, CompletableFuture<CloseSessionResponse>> handler) {
        endpoints.serve(RaftRpc.CLOSE_SESSION, handler);
    }

    @Override
    public void unregisterCloseSessionHandler() {
        endpoints.stopServing(RaftRpc.CLOSE_SESSION);
    }

    @Override
    public void registerKeepAliveHandler(Function<KeepAliveRequest, CompletableFuture<KeepAliveResponse>> handler) {
        endpoints.serve(RaftRpc.KEEP_ALIVE, handler);
    }

    @Override
    public void unregisterKeepAliveHandler() {
        endpoints.stopServing(RaftRpc.KEEP_ALIVE);
    }

    @Override
    public void registerQueryHandler(Function<QueryRequest, CompletableFuture<QueryResponse>> handler) {
        endpoints.serve(RaftRpc.QUERY, handler);
    }

    @Override
    public void unregisterQueryHandler() {
        endpoints.stopServing(RaftRpc.QUERY);
    }

    @Override
    public void registerCommandHandler(Function<CommandRequest, CompletableFuture<CommandResponse>> handler) {
        endpoints.serve(RaftRpc.COMMAND, handler);
    }

    @Override
    public void unregisterCommandHandler() {
        endpoints.stopServing(RaftRpc.COMMAND);
    }

    @Override
    public void registerMetadataHandler(Function<MetadataRequest, CompletableFuture<MetadataResponse>> handler) {
        endpoints.serve(RaftRpc.METADATA, handler);
    }

    @Override
    public void unregisterMetadataHandler() {
        endpoints.stopServing(RaftRpc.METADATA);
    }

    @Override
    public void registerJoinHandler(Function<JoinRequest, CompletableFuture<JoinResponse>> handler) {
        endpoints.serve(RaftRpc.JOIN, handler);
    }

    @Override
    public void unregisterJoinHandler() {
        endpoints.stopServing(RaftRpc.JOIN);
    }

    @Override
    public void registerLeaveHandler(Function<LeaveRequest, CompletableFuture<LeaveResponse>> handler) {
        endpoints.serve(RaftRpc.LEAVE, handler);
    }

    @Override
    public void unregisterLeaveHandler() {
        endpoints.stopServing(RaftRpc.LEAVE);
    }

    @Override
    public void registerTransferHandler(Function<TransferRequest, CompletableFuture<TransferResponse>> handler) {
        // Not carried: see transfer().
    }

    @Override
    public void unregisterTransferHandler() {
    }

    @Override
    public void registerConfigureHandler(Function<ConfigureRequest, CompletableFuture<ConfigureResponse>> handler) {
        endpoints.serve(RaftRpc.CONFIGURE, handler);
    }

    @Override
    public void unregisterConfigureHandler() {
        endpoints.stopServing(RaftRpc.CONFIGURE);
    }

    @Override
    public void registerReconfigureHandler(Function<ReconfigureRequest, CompletableFuture<ReconfigureResponse>> handler) {
        endpoints.serve(RaftRpc.RECONFIGURE, handler);
    }

    @Override
    public void unregisterReconfigureHandler() {
        endpoints.stopServing(RaftRpc.RECONFIGURE);
    }

    @Override
    public void registerInstallHandler(Function<InstallRequest, CompletableFuture<InstallResponse>> handler) {
        endpoints.serve(RaftRpc.INSTALL, handler);
    }

    @Override
    public void unregisterInstallHandler() {
        endpoints.stopServing(RaftRpc.INSTALL);
    }

    @Override
    public void registerPollHandler(Function<PollRequest, CompletableFuture<PollResponse>> handler) {
        endpoints.serve(RaftRpc.POLL, handler);
    }

    @Override
    public void unregisterPollHandler() {
        endpoints.stopServing(RaftRpc.POLL);
    }

    @Override
    public void registerVoteHandler(Function<VoteRequest, CompletableFuture<VoteResponse>> handler) {
        endpoints.serve(RaftRpc.VOTE, handler);
    }

    @Override
    public void unregisterVoteHandler() {
        endpoints.stopServing(RaftRpc.VOTE);
    }

    @Override
    public void registerAppendHandler(Function<AppendRequest, CompletableFuture<AppendResponse>> handler) {
        endpoints.<AppendRequest, AppendResponse>serve(RaftRpc.APPEND, request -> {
            CompletableFuture<AppendResponse> response = handler.apply(request);
            if (request.entries().isEmpty()) {
                return response;
            }
            return response.thenCompose(answer -> durability.beforeAcknowledging().thenApply(synced -> answer));
        });
    }

    @Override
    public void unregisterAppendHandler() {
        endpoints.stopServing(RaftRpc.APPEND);
    }

    @Override
    public void registerResetListener(SessionId sessionId, Consumer<ResetRequest> listener, Executor executor) {
        resetListeners.put(sessionId.id(), request -> executor.execute(() -> listener.accept(request)));
    }

    @Override
    public void unregisterResetListener(SessionId sessionId) {
        resetListeners.remove(sessionId.id());
    }
}

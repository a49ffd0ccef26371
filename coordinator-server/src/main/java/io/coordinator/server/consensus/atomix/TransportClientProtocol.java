package io.coordinator.server.consensus.atomix;

import io.atomix.cluster.MemberId;
import io.atomix.primitive.session.SessionId;
import io.atomix.protocols.raft.protocol.CloseSessionRequest;
import io.atomix.protocols.raft.protocol.CloseSessionResponse;
import io.atomix.protocols.raft.protocol.CommandRequest;
import io.atomix.protocols.raft.protocol.CommandResponse;
import io.atomix.protocols.raft.protocol.HeartbeatRequest;
import io.atomix.protocols.raft.protocol.HeartbeatResponse;
import io.atomix.protocols.raft.protocol.KeepAliveRequest;
import io.atomix.protocols.raft.protocol.KeepAliveResponse;
import io.atomix.protocols.raft.protocol.MetadataRequest;
import io.atomix.protocols.raft.protocol.MetadataResponse;
import io.atomix.protocols.raft.protocol.OpenSessionRequest;
import io.atomix.protocols.raft.protocol.OpenSessionResponse;
import io.atomix.protocols.raft.protocol.PublishRequest;
import io.atomix.protocols.raft.protocol.QueryRequest;
import io.atomix.protocols.raft.protocol.QueryResponse;
import io.atomix.protocols.raft.protocol.RaftClientProtocol;
import io.atomix.protocols.raft.protocol.ResetRequest;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/** Atomix's client-side Raft protocol, for the member's co-located log client, over our transport. */
final class TransportClientProtocol implements RaftClientProtocol {
    private final RaftEndpoints endpoints;
    private final Map<Long, Consumer<PublishRequest>> publishListeners = new ConcurrentHashMap<>();
    private volatile Function<HeartbeatRequest, CompletableFuture<HeartbeatResponse>> heartbeatHandler;

    TransportClientProtocol(RaftEndpoints endpoints) {
        this.endpoints = endpoints;
        endpoints.<PublishRequest>listen(RaftRpc.PUBLISH, request -> {
            Consumer<PublishRequest> listener = publishListeners.get(request.session());
            if (listener != null) {
                listener.accept(request);
            }
        });
        endpoints.<HeartbeatRequest, HeartbeatResponse>serve(RaftRpc.HEARTBEAT, request -> {
            Function<HeartbeatRequest, CompletableFuture<HeartbeatResponse>> handler = heartbeatHandler;
            return handler == null
                    ? CompletableFuture.failedFuture(new IllegalStateException("log client not connected"))
                    : handler.apply(request);
        });
    }

    /**
     * Tells the log client who leads, as a leader's heartbeat would, so that it sends straight to
     * the leader and re-sends what it has in flight now rather than after its back-off.
     */
    void announceLeader(MemberId leader, Collection<MemberId> members) {
        Function<HeartbeatRequest, CompletableFuture<HeartbeatResponse>> handler = heartbeatHandler;
        if (handler != null && leader != null && !members.isEmpty()) {
            handler.apply(HeartbeatRequest.builder().withLeader(leader).withMembers(members).build());
        }
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
    public void reset(Set<MemberId> members, ResetRequest request) {
        members.forEach(member -> endpoints.send(member, RaftRpc.RESET, request));
    }

    @Override
    public void registerHeartbeatHandler(Function<HeartbeatRequest, CompletableFuture<HeartbeatResponse>> handler) {
        this.heartbeatHandler = handler;
    }

    @Override
    public void unregisterHeartbeatHandler() {
        this.heartbeatHandler = null;
    }

    @Override
    public void registerPublishListener(SessionId sessionId, Consumer<PublishRequest> listener, Executor executor) {
        publishListeners.put(sessionId.id(), request -> executor.execute(() -> listener.accept(request)));
    }

    @Override
    public void unregisterPublishListener(SessionId sessionId) {
        publishListeners.remove(sessionId.id());
    }
}

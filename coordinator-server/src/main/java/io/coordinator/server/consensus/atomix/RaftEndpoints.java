package io.coordinator.server.consensus.atomix;

import io.atomix.cluster.MemberId;
import io.atomix.protocols.raft.partition.impl.RaftNamespaces;
import io.atomix.utils.serializer.Serializer;
import io.coordinator.server.consensus.transport.FrameTransport;

import java.net.ConnectException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the two Atomix protocol adapters share: the transport, the Kryo codec of Atomix's own Raft
 * protocol namespace, and the mapping from Atomix member ids to transport endpoints.
 *
 * <p>Each member runs a Raft server with id {@code <id>} and a co-located log client with id
 * {@code <id>-client}; both are reached at the member's one endpoint, and the message type says
 * which of the two a message is for.
 */
final class RaftEndpoints {
    static final String CLIENT_SUFFIX = "-client";

    private final FrameTransport transport;
    private final Set<String> serverIds;
    private final Serializer serializer = Serializer.using(RaftNamespaces.RAFT_PROTOCOL);

    RaftEndpoints(FrameTransport transport, Set<String> serverIds) {
        checkIds(serverIds);
        this.transport = transport;
        this.serverIds = Set.copyOf(serverIds);
    }

    static void checkIds(Set<String> serverIds) {
        for (String id : serverIds) {
            if (serverIds.contains(id + CLIENT_SUFFIX)) {
                throw new IllegalArgumentException("member ids " + id + " and " + id + CLIENT_SUFFIX
                        + " cannot both be used: the second names the first's log client");
            }
        }
    }

    static MemberId clientIdOf(String memberId) {
        return MemberId.from(memberId + CLIENT_SUFFIX);
    }

    FrameTransport transport() {
        return transport;
    }

    /** The endpoint serving an Atomix member id (a server or a log client), or null if none does. */
    String endpointOf(MemberId memberId) {
        String id = memberId.id();
        if (serverIds.contains(id)) {
            return id;
        }
        if (id.endsWith(CLIENT_SUFFIX)) {
            String server = id.substring(0, id.length() - CLIENT_SUFFIX.length());
            if (serverIds.contains(server)) {
                return server;
            }
        }
        return null;
    }

    <Q, R> CompletableFuture<R> request(MemberId to, RaftRpc rpc, Q request) {
        String endpoint = endpointOf(to);
        if (endpoint == null) {
            return CompletableFuture.failedFuture(new ConnectException("unknown member " + to));
        }
        byte[] bytes;
        try {
            bytes = serializer.encode(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return transport.request(endpoint, rpc.lane, rpc.code, bytes).thenApply(serializer::decode);
    }

    <Q> void send(MemberId to, RaftRpc rpc, Q message) {
        String endpoint = endpointOf(to);
        if (endpoint != null) {
            transport.send(endpoint, rpc.lane, rpc.code, serializer.encode(message));
        }
    }

    <Q, R> void serve(RaftRpc rpc, Function<Q, CompletableFuture<R>> handler) {
        transport.registerRequestHandler(rpc.code, payload -> {
            Q request = serializer.decode(payload);
            return handler.apply(request).thenApply(serializer::encode);
        });
    }

    <Q> void listen(RaftRpc rpc, java.util.function.Consumer<Q> listener) {
        transport.registerMessageHandler(rpc.code, payload -> listener.accept(serializer.decode(payload)));
    }

    void stopServing(RaftRpc rpc) {
        transport.unregisterRequestHandler(rpc.code);
    }
}

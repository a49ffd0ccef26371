package io.coordinator.server.pipeline;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.consensus.ConsensusException;
import io.coordinator.server.consensus.ReplicatedLog;
import io.coordinator.server.state.ReplicatedTree;

import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Routes each client call: writes into log entries, linearizable reads into batched read
 * barriers, serializable reads to the local state. Every call ends in an encoded
 * {@link ServerMessage.Reply}; consensus failures become UNAVAILABLE (nothing applied) or TIMEOUT
 * (outcome unknown), never an exception towards the connection.
 */
public final class RequestPipeline {
    private final ReplicatedTree tree;
    private final Batcher writes;
    private final Batcher reads;
    private final int pendingMax;
    private final long serializableWaitMillis;
    private final AtomicInteger pending = new AtomicInteger();
    private final SecureRandom secrets = new SecureRandom();
    private final Codec codec = Codec.smile();

    public RequestPipeline(ReplicatedLog log, ReplicatedTree tree, ServerConfig config) {
        this.tree = tree;
        int slots = log.maxProposalsInFlight();
        ServerConfig.BatchSettings batch = config.batch();
        this.writes = new Batcher(log::propose, slots, batch.requestsMax(), batch.bytesMax());
        this.reads = new Batcher(log::read, slots, batch.requestsMax(), batch.bytesMax());
        this.pendingMax = config.limits().pendingRequestsMax();
        this.serializableWaitMillis = config.consensus().proposalTimeoutMillis();
    }

    /**
     * @param payload the call exactly as the client encoded it; it goes into the log unchanged
     * @return the encoded reply
     */
    public CompletableFuture<byte[]> submit(ClientMessage.Call call, byte[] payload) {
        if (pending.incrementAndGet() > pendingMax) {
            pending.decrementAndGet();
            return CompletableFuture.completedFuture(failure(ErrorCode.OVERLOADED,
                    "more than " + pendingMax + " requests pending on this member"));
        }
        CompletableFuture<byte[]> reply;
        Command command = call.request().command();
        if (command.isWrite()) {
            reply = recover(writes.submit(withSecret(call, payload)), ErrorCode.TIMEOUT);
        } else if (call.consistency() == Consistency.SERIALIZABLE) {
            reply = serializableRead(call);
        } else {
            reply = recover(reads.submit(payload), ErrorCode.UNAVAILABLE);
        }
        return reply.whenComplete((bytes, failure) -> pending.decrementAndGet());
    }

    /** Proposes a command of the member's own (leader duties: ticks, leader change). */
    public CompletableFuture<ServerMessage.Reply> submitInternal(Command command) {
        byte[] payload = codec.encode(new ClientMessage.Call(Request.of(command), Consistency.LINEARIZABLE, 0));
        return recover(writes.submit(payload), ErrorCode.TIMEOUT)
                .thenApply(bytes -> (ServerMessage.Reply) codec.decodeServer(bytes));
    }

    public int queued() {
        return writes.queued() + reads.queued();
    }

    private CompletableFuture<byte[]> serializableRead(ClientMessage.Call call) {
        return tree.awaitRevision(call.minRevision())
                .orTimeout(serializableWaitMillis, TimeUnit.MILLISECONDS)
                .thenApply(ignored -> codec.encode(tree.readLocal(call.request().command())))
                .exceptionally(failure -> failure(ErrorCode.UNAVAILABLE,
                        "this member has not reached revision " + call.minRevision() + " yet"));
    }

    /** The member, not the client, draws a session's secret: a client cannot pick a guessable one. */
    private byte[] withSecret(ClientMessage.Call call, byte[] payload) {
        if (!(call.request().command() instanceof Command.OpenSession open)) {
            return payload;
        }
        long secret = 0;
        while (secret == 0) {
            secret = secrets.nextLong();
        }
        Request request = call.request();
        return codec.encode(new ClientMessage.Call(
                new Request(request.sessionId(), request.sequence(), new Command.OpenSession(open.ttlMillis(), secret)),
                call.consistency(), call.minRevision()));
    }

    private CompletableFuture<byte[]> recover(CompletableFuture<byte[]> reply, ErrorCode unknownOutcome) {
        return reply.exceptionally(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof ConsensusException consensus) {
                ErrorCode code = consensus.kind() == ConsensusException.Kind.UNAVAILABLE
                        ? ErrorCode.UNAVAILABLE : ErrorCode.TIMEOUT;
                return failure(code, consensus.getMessage());
            }
            if (cause instanceof TimeoutException) {
                return failure(unknownOutcome, "no answer from the log in time");
            }
            return failure(unknownOutcome, String.valueOf(cause.getMessage()));
        });
    }

    private byte[] failure(ErrorCode code, String message) {
        return codec.encode(new ServerMessage.Reply(tree.revision(), new Response.Failure(code, message)));
    }
}

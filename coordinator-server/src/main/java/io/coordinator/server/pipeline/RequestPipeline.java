package io.coordinator.server.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.consensus.ConsensusException;
import io.coordinator.server.consensus.ReplicatedLog;
import io.coordinator.server.metrics.RequestObserver;
import io.coordinator.server.state.LogBatch;
import io.coordinator.server.state.ReplicatedTree;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Routes each client call: writes into log entries, linearizable reads into batched read
 * barriers, serializable reads to the local state. Every call ends in an encoded
 * {@link ServerMessage.Reply}; consensus failures become UNAVAILABLE (nothing applied) or TIMEOUT
 * (outcome unknown), never an exception towards the connection.
 */
public final class RequestPipeline {
    private final ReplicatedLog log;
    private final ReplicatedTree tree;
    private final Batcher writes;
    private final Batcher reads;
    private final int pendingMax;
    /** The largest answer that fits in one frame of the binary port. */
    private final int replyBytesMax;
    private final long serializableWaitMillis;
    private final AtomicInteger pending = new AtomicInteger();
    private final SecureRandom secrets = new SecureRandom();
    private final Codec codec = Codec.smile();
    private final RequestObserver observer;

    public RequestPipeline(ReplicatedLog log, ReplicatedTree tree, ServerConfig config) {
        this(log, tree, config, RequestObserver.NONE);
    }

    /** @param observer told of every request's and every batch's latency (metrics) */
    public RequestPipeline(ReplicatedLog log, ReplicatedTree tree, ServerConfig config, RequestObserver observer) {
        this.log = log;
        this.tree = tree;
        this.observer = observer;
        int slots = log.maxProposalsInFlight();
        ServerConfig.BatchSettings batch = config.batch();
        this.writes = new Batcher(timed(log::propose, RequestObserver.BatchKind.WRITE), slots, batch.requestsMax(),
                batch.bytesMax());
        this.reads = new Batcher(timed(log::read, RequestObserver.BatchKind.READ), slots, batch.requestsMax(),
                batch.bytesMax());
        this.pendingMax = config.limits().pendingRequestsMax();
        this.replyBytesMax = config.limits().frameBytesMax() - Frame.HEADER_BYTES;
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
        long startNanos = System.nanoTime();
        CompletableFuture<byte[]> reply;
        Command.ClientCommand command = call.request().command();
        boolean local = !command.isWrite() && call.consistency() == Consistency.SERIALIZABLE;
        if (!local && log.status().leaderId() == null) {
            // A member that knows no leader (cut off, or an election under way) cannot commit or
            // confirm anything; saying so now, before anything enters the log, lets the client
            // retry elsewhere at once and safely, instead of waiting for a TIMEOUT of unknown outcome.
            reply = CompletableFuture.completedFuture(failure(ErrorCode.UNAVAILABLE,
                    "member " + log.status().memberId() + " knows no leader; try another member"));
        } else if (command.isWrite()) {
            reply = appliedHere(recover(writes.submit(LogBatch.Item.client(withSecret(call, payload))), ErrorCode.TIMEOUT),
                    ErrorCode.TIMEOUT);
        } else if (call.consistency() == Consistency.SERIALIZABLE) {
            reply = withinFrame(serializableRead(call));
        } else {
            reply = withinFrame(appliedHere(recover(reads.submit(LogBatch.Item.client(payload)), ErrorCode.UNAVAILABLE),
                    ErrorCode.UNAVAILABLE));
        }
        return reply.whenComplete((bytes, failure) -> {
            pending.decrementAndGet();
            observer.requestCompleted(command, call.consistency(), System.nanoTime() - startNanos);
        });
    }

    /**
     * A read's answer that would not fit in one frame (the children of a huge directory, a txn of many
     * reads) becomes TOO_LARGE: sent as it is, the client would refuse the frame and drop the
     * connection, and its retry elsewhere would do the same. A read changes nothing, so the refusal
     * is exact. (A write's answer is never replaced: it may have been applied.)
     */
    private CompletableFuture<byte[]> withinFrame(CompletableFuture<byte[]> reply) {
        return reply.thenApply(bytes -> bytes.length <= replyBytesMax ? bytes : failure(ErrorCode.TOO_LARGE,
                "the answer of " + bytes.length + " bytes exceeds limits.frame-bytes-max; read less at once"));
    }

    /** Requests admitted and not yet answered (bounded by limits.pending-requests-max). */
    public int pending() {
        return pending.get();
    }

    /**
     * Proposes a command of the member's own (leader duties: ticks, leader change). It is the only way
     * into the log for an internal command, and the log entry marks it as the duties' (see LogBatch):
     * no client call can carry one.
     */
    public CompletableFuture<ServerMessage.Reply> submitInternal(Command.InternalCommand command) {
        return recover(writes.submit(LogBatch.Item.duty(command)), ErrorCode.TIMEOUT)
                .thenApply(bytes -> (ServerMessage.Reply) codec.decodeServer(bytes));
    }

    public int queued() {
        return writes.queued() + reads.queued();
    }

    /** Times each batch from its hand-over to the log until the log answers (commit latency, for writes). */
    private Function<byte[], CompletableFuture<byte[]>> timed(Function<byte[], CompletableFuture<byte[]>> sink,
                                                              RequestObserver.BatchKind kind) {
        return batch -> {
            long startNanos = System.nanoTime();
            return sink.apply(batch).whenComplete((replies, failure) ->
                    observer.batchCompleted(kind, batch, System.nanoTime() - startNanos, failure != null));
        };
    }

    /**
     * Holds a reply from the log until this member's own state has reached its revision: the log may
     * answer (from the leader) before this member applied the entry. Then the events of that revision
     * are already queued on the connection ahead of the reply, and a serializable read here that
     * follows sees the write. A member that does not get there in time answers {@code notThere}.
     */
    private CompletableFuture<byte[]> appliedHere(CompletableFuture<byte[]> reply, ErrorCode notThere) {
        return reply.thenCompose(bytes -> {
            long revision = revisionOf(bytes);
            if (revision <= 0) {
                return CompletableFuture.completedFuture(bytes);
            }
            return tree.awaitRevision(revision)
                    .orTimeout(serializableWaitMillis, TimeUnit.MILLISECONDS)
                    .handle((ignored, failure) -> failure == null ? bytes : failure(notThere,
                            "this member has not applied revision " + revision + " within " + serializableWaitMillis
                                    + " ms" + (notThere == ErrorCode.TIMEOUT ? " (the write may have been applied)" : "")));
        });
    }

    /** The revision of an encoded {@link ServerMessage.Reply}, read from its first fields without decoding the rest. */
    private long revisionOf(byte[] reply) {
        try (JsonParser parser = codec.mapper().getFactory().createParser(reply)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return 0;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("revision".equals(field) && value.isNumeric()) {
                    return parser.getLongValue();
                }
                parser.skipChildren();
            }
            return 0;
        } catch (IOException e) {
            return 0;
        }
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

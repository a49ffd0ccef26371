package io.coordinator.server.http;

import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.pipeline.RequestPipeline;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The gateway's way into the member: every operation becomes a {@link ClientMessage.Call}, encoded
 * exactly as a binary client would encode it, and goes through {@link RequestPipeline#submit} like
 * any other request (same batching, limits, dedup and metrics).
 */
final class Calls {
    private final RequestPipeline pipeline;
    private final Codec smile = Codec.smile();

    Calls(RequestPipeline pipeline) {
        this.pipeline = pipeline;
    }

    CompletableFuture<ServerMessage.Reply> submit(Request request, Consistency consistency, long minRevision) {
        ClientMessage.Call call = new ClientMessage.Call(request, consistency, minRevision);
        return pipeline.submit(call, smile.encode(call)).thenApply(bytes -> (ServerMessage.Reply) smile.decodeServer(bytes));
    }

    /** Submits and renders: a failure becomes its error reply, anything else goes to {@code render}. */
    CompletableFuture<HttpReply> submit(Request request, Consistency consistency, long minRevision,
                                        Function<ServerMessage.Reply, HttpReply> render) {
        return submit(request, consistency, minRevision).thenApply(reply -> render(reply, render));
    }

    static HttpReply render(ServerMessage.Reply reply, Function<ServerMessage.Reply, HttpReply> render) {
        if (reply.response() instanceof Response.Failure failure) {
            return HttpReply.error(failure.code(), failure.message(), reply.revision());
        }
        return render.apply(reply);
    }
}

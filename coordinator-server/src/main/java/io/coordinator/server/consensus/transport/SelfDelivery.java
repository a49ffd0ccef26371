package io.coordinator.server.consensus.transport;

import io.netty.channel.EventLoop;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntFunction;

/**
 * Requests and messages a member addresses to itself (its log client talks to its own Raft server),
 * handed to the handler without a TCP round trip through its own port: that hop cost a write, a
 * wake-up and a read each way, about 1.7 ms of a write's latency on a loaded 2-core machine.
 *
 * <p>Everything runs on one event loop, as if it had arrived on one connection: handlers run on a
 * Netty thread as they do for a peer's frames, in the order they were sent (one thread keeps every
 * lane's order), and answers complete there too, never on the handler's own thread. The frame limit
 * applies as on the wire, so a member behaves the same whether it is its own peer or not.
 */
final class SelfDelivery {
    private final EventLoop loop;
    private final IntFunction<FrameTransport.RequestHandler> requestHandlers;
    private final IntFunction<FrameTransport.MessageHandler> messageHandlers;
    private final int payloadBytesMax;

    SelfDelivery(EventLoop loop, IntFunction<FrameTransport.RequestHandler> requestHandlers,
                 IntFunction<FrameTransport.MessageHandler> messageHandlers, int payloadBytesMax) {
        this.loop = loop;
        this.requestHandlers = requestHandlers;
        this.messageHandlers = messageHandlers;
        this.payloadBytesMax = payloadBytesMax;
    }

    CompletableFuture<byte[]> request(int type, byte[] payload) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        run(() -> {
            FrameTransport.RequestHandler handler = requestHandlers.apply(type);
            if (handler == null) {
                result.completeExceptionally(new ConnectException("this member has no handler for type " + type));
                return;
            }
            CompletableFuture<byte[]> answer;
            try {
                answer = handler.handle(payload);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((response, error) -> run(() -> {
                byte[] bytes = response == null ? new byte[0] : response;
                if (error != null) {
                    result.completeExceptionally(new RemoteFailureException("self: " + error));
                } else if (bytes.length > payloadBytesMax) {
                    result.completeExceptionally(new RemoteFailureException("self: response of " + bytes.length
                            + " bytes exceeds the frame limit"));
                } else {
                    result.complete(bytes);
                }
            }, result));
        }, result);
        return result;
    }

    void send(int type, byte[] payload) {
        run(() -> {
            FrameTransport.MessageHandler handler = messageHandlers.apply(type);
            if (handler != null) {
                handler.handle(payload);
            }
        }, null);
    }

    private void run(Runnable task, CompletableFuture<byte[]> failOnClose) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            if (failOnClose != null) {
                failOnClose.completeExceptionally(new ConnectException("transport is closed"));
            }
        }
    }
}

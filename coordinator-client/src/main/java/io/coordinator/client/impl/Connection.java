package io.coordinator.client.impl;

import io.coordinator.client.Endpoint;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;
import io.coordinator.protocol.wire.FrameException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * One TCP connection to one member. Requests are pipelined: each gets a future in the pending map
 * under its request id, and answers complete them in whatever order they come. Every future of a
 * connection that goes away fails with {@link ConnectionLostException}.
 *
 * <p>A connection the client is leaving is not cut: {@link #closeWhenIdle} lets the requests still
 * pending on it have their answers (or be abandoned at their own attempt timeouts), then closes it.
 *
 * <p>Futures complete on the I/O thread: whoever chains onto them must not block.
 */
public final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final Endpoint endpoint;
    private final Channel channel;
    private final Handler handler;

    Connection(Endpoint endpoint, Channel channel, Handler handler) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.handler = handler;
        handler.endpoint = endpoint;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    public int pendingCount() {
        return handler.pending.size();
    }

    /**
     * Where EVENT frames (watch notifications) of this connection go, decoded, on the I/O thread, in
     * arrival order relative to the answers. Without a listener they are dropped.
     */
    public void onEvent(Consumer<ServerMessage> listener) {
        handler.events = listener;
    }

    /** Runs once the connection has closed, for whatever reason. */
    public void onClose(Runnable action) {
        channel.closeFuture().addListener(f -> action.run());
    }

    /** Sends one REQUEST frame; the future completes with the member's answer. */
    public CompletableFuture<ServerMessage> send(long requestId, byte[] payload) {
        CompletableFuture<ServerMessage> answer = new CompletableFuture<>();
        if (handler.pending.putIfAbsent(requestId, answer) != null) {
            throw new IllegalStateException("request id " + requestId + " is already pending on " + endpoint);
        }
        if (!channel.isActive()) {
            fail(requestId, new ConnectionLostException("connection to " + endpoint + " is closed", false));
            return answer;
        }
        channel.writeAndFlush(new Frame(Frame.Kind.REQUEST, requestId, payload)).addListener(f -> {
            if (!f.isSuccess()) {
                // The frame did not fully reach the socket: the member cannot have decoded, let alone
                // applied, it.
                fail(requestId, new ConnectionLostException("write to " + endpoint + " failed: " + f.cause(), false));
            }
        });
        return answer;
    }

    /** Stops waiting for an answer (it will be dropped if it comes). */
    public void abandon(long requestId) {
        handler.pending.remove(requestId);
        handler.closeIfDrained();
    }

    public void close() {
        channel.close();
    }

    /**
     * Closes the connection once no request is pending on it: at once if none is, else after the
     * last answer arrives or the last request is abandoned. Watches living on it stay until then.
     */
    public void closeWhenIdle() {
        handler.draining = true;
        handler.closeIfDrained();
    }

    private void fail(long requestId, RuntimeException cause) {
        CompletableFuture<ServerMessage> answer = handler.pending.remove(requestId);
        if (answer != null) {
            answer.completeExceptionally(cause);
        }
        handler.closeIfDrained();
    }

    @Override
    public String toString() {
        return "Connection[" + endpoint + "]";
    }

    /** The pipeline's last handler; created before the channel connects, so it owns the pending map. */
    static final class Handler extends SimpleChannelInboundHandler<Frame> {
        final ConcurrentMap<Long, CompletableFuture<ServerMessage>> pending = new ConcurrentHashMap<>();
        volatile Endpoint endpoint;
        volatile Consumer<ServerMessage> events;
        /** Set by {@link #closeWhenIdle}: close when the pending map empties. */
        volatile boolean draining;
        private volatile ChannelHandlerContext context;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            context = ctx;
        }

        /** Closes a draining connection that has nothing pending any more. */
        void closeIfDrained() {
            ChannelHandlerContext ctx = context;
            if (draining && pending.isEmpty() && ctx != null && ctx.channel().isOpen()) {
                log.debug("connection to {} drained; closing it", endpoint);
                ctx.close();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            switch (frame.kind()) {
                case RESPONSE -> {
                    CompletableFuture<ServerMessage> answer = pending.remove(frame.requestId());
                    if (answer == null) {
                        log.debug("dropping answer to request {} from {}: nobody waits for it", frame.requestId(), endpoint);
                        return;
                    }
                    try {
                        answer.complete(Codec.smile().decodeServer(frame.payload()));
                    } catch (Codec.MalformedMessageException e) {
                        answer.complete(new ServerMessage.ProtocolError(e.code(),
                                "undecodable answer from " + endpoint + ": " + e.getMessage()));
                    }
                    // After the answer was handled, which may have sent more on this connection.
                    closeIfDrained();
                }
                case EVENT -> {
                    Consumer<ServerMessage> listener = events;
                    if (listener == null) {
                        log.debug("dropping event frame for watch {} from {}: nobody listens", frame.requestId(), endpoint);
                        return;
                    }
                    ServerMessage message;
                    try {
                        message = Codec.smile().decodeServer(frame.payload());
                    } catch (Codec.MalformedMessageException e) {
                        // A lost event would be a gap: drop the connection instead, the watches resume elsewhere.
                        log.warn("undecodable event from {}: {}; closing the connection", endpoint, e.getMessage());
                        ctx.close();
                        return;
                    }
                    listener.accept(message);
                }
                case ERROR -> {
                    String reason;
                    try {
                        reason = String.valueOf(Codec.smile().decodeServer(frame.payload()));
                    } catch (Codec.MalformedMessageException e) {
                        reason = "undecodable error frame";
                    }
                    log.warn("member {} is closing the connection: {}", endpoint, reason);
                    ctx.close();
                }
                case REQUEST -> {
                    log.warn("member {} sent a REQUEST frame; closing the connection", endpoint);
                    ctx.close();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            List<Long> ids = new ArrayList<>(pending.keySet());
            for (Long id : ids) {
                CompletableFuture<ServerMessage> answer = pending.remove(id);
                if (answer != null) {
                    answer.completeExceptionally(new ConnectionLostException("connection to " + endpoint + " lost", true));
                }
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof FrameException || cause.getCause() instanceof FrameException) {
                log.warn("unreadable stream from {}: {}; closing the connection", endpoint, cause.getMessage());
            } else {
                log.debug("connection to {} failed: {}", endpoint, cause.toString());
            }
            ctx.close();
        }
    }
}

package io.coordinator.server.net;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;
import io.coordinator.protocol.wire.FrameException;
import io.coordinator.server.pipeline.RequestPipeline;
import io.coordinator.server.watch.ChannelOutput;
import io.coordinator.server.watch.WatchHub;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * One client connection. A request that decodes badly is answered with MALFORMED and the
 * connection goes on; a broken byte stream (bad length, version, kind) gets an ERROR frame and
 * this connection alone is closed.
 */
final class ClientHandler extends SimpleChannelInboundHandler<Frame> {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private final RequestPipeline pipeline;
    private final WatchHub watches;
    private final long watchPendingBytesMax;
    private final Supplier<ServerMessage.StatusReply> status;
    private final String memberId;
    private final Codec codec = Codec.smile();
    /** The sessions this connection may use (see {@link AttachedSessions}). */
    private final AttachedSessions sessions;
    /** This connection's watch traffic; created on its first watch, on the event loop. */
    private ChannelOutput watchOutput;
    /** Calls and attaches whose answers are not queued yet; event loop only. */
    private int awaiting;
    /** The client half-closed: answer what it sent, then close. Event loop only. */
    private boolean inputShut;

    ClientHandler(RequestPipeline pipeline, WatchHub watches, long watchPendingBytesMax,
                  Supplier<ServerMessage.StatusReply> status, String memberId) {
        this.pipeline = pipeline;
        this.watches = watches;
        this.watchPendingBytesMax = watchPendingBytesMax;
        this.status = status;
        this.memberId = memberId;
        this.sessions = new AttachedSessions(pipeline, memberId);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (frame.kind() != Frame.Kind.REQUEST) {
            fail(ctx, ErrorCode.MALFORMED, "clients may only send REQUEST frames, got " + frame.kind());
            return;
        }
        ClientMessage message;
        try {
            message = codec.decodeClient(frame.payload());
        } catch (Codec.MalformedMessageException e) {
            respond(ctx, frame.requestId(), codec.encode(new ServerMessage.ProtocolError(e.code(), e.getMessage())));
            return;
        }
        // Java 17 has no pattern switch yet; ClientMessage is sealed, so these are all there is.
        if (message instanceof ClientMessage.Call call) {
            answer(ctx, frame.requestId(), sessions.submit(call, frame.payload()));
        } else if (message instanceof ClientMessage.AttachSession attach) {
            answer(ctx, frame.requestId(), sessions.attach(attach));
        } else if (message instanceof ClientMessage.Watch watch) {
            if (watches == null) {
                respond(ctx, frame.requestId(), codec.encode(new ServerMessage.WatchFailed(frame.requestId(),
                        ErrorCode.UNAVAILABLE, "member " + memberId + " serves no watches", 0, 0)));
            } else {
                watches.watch(watchOutput(ctx), frame.requestId(), watch);
            }
        } else if (message instanceof ClientMessage.Unwatch unwatch) {
            if (watches == null) {
                respond(ctx, frame.requestId(), codec.encode(new ServerMessage.Unwatched(unwatch.watchId(), false)));
            } else {
                watches.unwatch(watchOutput(ctx), frame.requestId(), unwatch.watchId());
            }
        } else {
            respond(ctx, frame.requestId(), codec.encode(status.get()));
        }
    }

    /** Answers once the reply is there; a half-closed connection closes after its last answer. */
    private void answer(ChannelHandlerContext ctx, long requestId, java.util.concurrent.CompletableFuture<byte[]> reply) {
        awaiting++;
        reply.thenAccept(bytes -> {
            respond(ctx, requestId, bytes);
            try {
                // Queued behind the answer's own task (see respond), so it runs once that is written.
                ctx.executor().execute(() -> {
                    awaiting--;
                    closeIfHalfClosedAndAnswered(ctx);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The member is shutting down; so is this connection.
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof ChannelInputShutdownEvent) {
            // The client sent its last byte. Its calls are still answered; its watches end, as they
            // do when it closes. (A watch waiting for a revision the member has not reached yet is
            // not answered.)
            inputShut = true;
            closeIfHalfClosedAndAnswered(ctx);
        }
        super.userEventTriggered(ctx, event);
    }

    private void closeIfHalfClosedAndAnswered(ChannelHandlerContext ctx) {
        if (inputShut && awaiting == 0 && ctx.channel().isActive()) {
            // A task, so that answers already queued (status, watch starts) leave first; then a flush
            // of nothing whose completion closes: close() alone would drop what is not yet written.
            ctx.executor().execute(() -> ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
        }
    }

    private ChannelOutput watchOutput(ChannelHandlerContext ctx) {
        if (watchOutput == null) {
            ChannelOutput output = new ChannelOutput(ctx.channel(), watchPendingBytesMax, memberId);
            watchOutput = output;
            ctx.channel().closeFuture().addListener(f -> watches.disconnected(output));
        }
        return watchOutput;
    }

    /**
     * Always queued on the event loop, even from it: watch events queued earlier by the apply thread
     * must leave first (see {@link ChannelOutput}).
     */
    private static void respond(ChannelHandlerContext ctx, long requestId, byte[] payload) {
        ChannelOutput.send(ctx.channel(), new Frame(Frame.Kind.RESPONSE, requestId, payload));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof FrameException frameError) {
            fail(ctx, frameError.code(), frameError.getMessage());
        } else if (root instanceof java.io.IOException) {
            // The client went away (reset, broken pipe): nothing to tell it, nothing wrong here.
            log.debug("member={} connection from {} lost: {}", memberId, ctx.channel().remoteAddress(), root.toString());
            ctx.close();
        } else {
            log.warn("member={} closing connection from {} after an error", memberId, ctx.channel().remoteAddress(), root);
            fail(ctx, ErrorCode.MALFORMED, "internal error on this connection");
        }
    }

    private void fail(ChannelHandlerContext ctx, ErrorCode code, String message) {
        log.info("member={} closing connection from {}: {} {}", memberId, ctx.channel().remoteAddress(), code, message);
        byte[] payload = codec.encode(new ServerMessage.ProtocolError(code, message));
        ctx.writeAndFlush(new Frame(Frame.Kind.ERROR, 0, payload)).addListener(ChannelFutureListener.CLOSE);
    }
}

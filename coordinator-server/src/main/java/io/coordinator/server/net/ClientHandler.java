package io.coordinator.server.net;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;
import io.coordinator.protocol.wire.FrameException;
import io.coordinator.server.pipeline.RequestPipeline;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
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
    private final Supplier<ServerMessage.StatusReply> status;
    private final String memberId;
    private final Codec codec = Codec.smile();

    ClientHandler(RequestPipeline pipeline, Supplier<ServerMessage.StatusReply> status, String memberId) {
        this.pipeline = pipeline;
        this.status = status;
        this.memberId = memberId;
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
            respond(ctx, frame.requestId(), codec.encode(new ServerMessage.ProtocolError(ErrorCode.MALFORMED, e.getMessage())));
            return;
        }
        // Java 17 has no pattern switch yet; ClientMessage is sealed, so these two are all there is.
        if (message instanceof ClientMessage.Call call) {
            pipeline.submit(call, frame.payload()).thenAccept(reply -> respond(ctx, frame.requestId(), reply));
        } else {
            respond(ctx, frame.requestId(), codec.encode(status.get()));
        }
    }

    private static void respond(ChannelHandlerContext ctx, long requestId, byte[] payload) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new Frame(Frame.Kind.RESPONSE, requestId, payload), ctx.voidPromise());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof FrameException frameError) {
            fail(ctx, frameError.code(), frameError.getMessage());
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

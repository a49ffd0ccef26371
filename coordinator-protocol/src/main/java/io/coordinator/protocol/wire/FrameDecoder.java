package io.coordinator.protocol.wire;

import io.coordinator.core.api.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Cuts the stream into {@link Frame}s. A length outside [header, frameBytesMax], an unknown version
 * or kind throws {@link FrameException}: after that the stream has no trustworthy boundary left.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final int frameBytesMax;
    /** After a broken frame nothing that follows can be trusted; the connection is on its way out. */
    private boolean broken;

    public FrameDecoder(int frameBytesMax) {
        this.frameBytesMax = frameBytesMax;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeFrames(in, out);
        } catch (FrameException e) {
            broken = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeFrames(ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= Frame.LENGTH_BYTES) {
            int length = in.getInt(in.readerIndex());
            if (length < Frame.HEADER_BYTES) {
                throw new FrameException(ErrorCode.MALFORMED, "frame length " + length + " is shorter than its header");
            }
            if (length > frameBytesMax) {
                throw new FrameException(ErrorCode.TOO_LARGE,
                        "frame of " + length + " bytes is over the limit of " + frameBytesMax);
            }
            if (in.readableBytes() < Frame.LENGTH_BYTES + length) {
                return;
            }
            in.skipBytes(Frame.LENGTH_BYTES);
            byte version = in.readByte();
            if (version != Frame.VERSION) {
                throw new FrameException(ErrorCode.MALFORMED, "unsupported protocol version " + version);
            }
            Frame.Kind kind = Frame.Kind.of(in.readByte());
            if (kind == null) {
                throw new FrameException(ErrorCode.MALFORMED, "unknown frame kind");
            }
            long requestId = in.readLong();
            byte[] payload = new byte[length - Frame.HEADER_BYTES];
            in.readBytes(payload);
            out.add(new Frame(kind, requestId, payload));
        }
    }
}

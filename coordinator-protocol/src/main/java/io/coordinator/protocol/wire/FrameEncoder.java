package io.coordinator.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        out.ensureWritable(Frame.LENGTH_BYTES + Frame.HEADER_BYTES + frame.payload().length);
        out.writeInt(Frame.HEADER_BYTES + frame.payload().length);
        out.writeByte(Frame.VERSION);
        out.writeByte(frame.kind().code());
        out.writeLong(frame.requestId());
        out.writeBytes(frame.payload());
    }
}

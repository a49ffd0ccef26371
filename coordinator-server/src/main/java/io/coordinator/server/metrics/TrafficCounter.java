package io.coordinator.server.metrics;

import com.codahale.metrics.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes of one port, in both directions. Shared by every connection of the port and
 * placed first in each pipeline, so it sees the raw bytes: what the socket read and what is handed
 * to it to write (counted when written, even if the peer goes before it is flushed).
 */
@ChannelHandler.Sharable
public final class TrafficCounter extends ChannelDuplexHandler {
    private final Counter received;
    private final Counter sent;

    TrafficCounter(Counter received, Counter sent) {
        this.received = received;
        this.sent = sent;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        received.inc(bytes(msg));
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        sent.inc(bytes(msg));
        ctx.write(msg, promise);
    }

    private static long bytes(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (msg instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        return 0;
    }

    public long receivedBytes() {
        return received.getCount();
    }

    public long sentBytes() {
        return sent.getCount();
    }
}

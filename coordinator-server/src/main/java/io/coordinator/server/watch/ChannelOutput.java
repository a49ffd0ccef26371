package io.coordinator.server.watch;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes to one client connection of the binary port, in call order, from any thread.
 *
 * <p>Every write, answers included (see {@code ClientHandler}), is a task on the channel's event
 * loop, never a direct write: Netty runs those tasks first in, first out, so whatever was queued
 * first leaves first, whichever thread queued it. A direct write from the event loop would overtake
 * events the apply thread queued before it.
 *
 * <p>Pushed events that the client does not read pile up in memory; past {@code pendingBytesMax}
 * the connection gets an ERROR frame (OVERLOADED) and is closed. Its client resumes its watches
 * elsewhere from its last revision, or here once it has caught up, as long as the history reaches.
 */
public final class ChannelOutput implements WatchOutput {
    private static final Logger log = LoggerFactory.getLogger(ChannelOutput.class);

    private final Channel channel;
    private final long pendingBytesMax;
    private final String memberId;
    private final Codec codec = Codec.smile();
    private final AtomicLong pendingBytes = new AtomicLong();
    private volatile boolean overflowed;

    public ChannelOutput(Channel channel, long pendingBytesMax, String memberId) {
        this.channel = channel;
        this.pendingBytesMax = pendingBytesMax;
        this.memberId = memberId;
    }

    /** Queues an answer behind everything queued before on this connection. */
    public static void send(Channel channel, Frame frame) {
        try {
            channel.eventLoop().execute(() -> {
                if (channel.isActive()) {
                    channel.writeAndFlush(frame, channel.voidPromise());
                }
            });
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the member: the connection is going away anyway.
        }
    }

    @Override
    public void respond(long requestId, ServerMessage message) {
        if (!overflowed) {
            send(channel, new Frame(Frame.Kind.RESPONSE, requestId, codec.encode(message)));
        }
    }

    @Override
    public void push(long watchId, ServerMessage message) {
        if (overflowed) {
            return;
        }
        byte[] payload = codec.encode(message);
        int size = payload.length;
        if (pendingBytes.addAndGet(size) > pendingBytesMax) {
            overflowed = true;
            log.warn("member={} closing connection from {}: over {} bytes of watch events not yet written "
                    + "(limits.watch-pending-bytes-max)", memberId, channel.remoteAddress(), pendingBytesMax);
            byte[] error = codec.encode(new ServerMessage.ProtocolError(ErrorCode.OVERLOADED,
                    "the client reads watch events too slowly; resume from the last revision received"));
            execute(() -> channel.writeAndFlush(new Frame(Frame.Kind.ERROR, 0, error))
                    .addListener(ChannelFutureListener.CLOSE));
            return;
        }
        Frame frame = new Frame(Frame.Kind.EVENT, watchId, payload);
        execute(() -> {
            if (!channel.isActive()) {
                pendingBytes.addAndGet(-size);
                return;
            }
            channel.writeAndFlush(frame).addListener(f -> pendingBytes.addAndGet(-size));
        });
    }

    /** Bytes of events queued or in the socket buffer, not yet written out. */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    private void execute(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // See send().
        }
    }
}

package io.coordinator.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.core.api.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A streaming answer: the head of a chunked {@code application/x-ndjson} response, then one JSON
 * object per line, each flushed as it comes. The machinery under a watch ({@link WatchStream}) and an
 * election's observer ({@link LeaderStream}); they decide what the lines say.
 *
 * <p>Ordering: every call becomes a task on the channel's event loop, never a direct write, so lines
 * leave in the order they were handed over, and after the head. Lines that come before the head is
 * out (earlier pipelined answers still pending) wait here, in order. Lines not yet written count
 * against {@code pendingBytesMax}; past it the stream gets a final OVERLOADED error line, its owner is
 * told ({@code onOverflow}) and the connection is closed once that line is out, or after
 * {@value #OVERLOAD_CLOSE_GRACE_MILLIS} ms. A line marked last ends the stream and closes the
 * connection.
 */
final class LineStream {
    private static final Logger log = LoggerFactory.getLogger(LineStream.class);
    static final String NDJSON = "application/x-ndjson";
    /** A reader too slow gets this long to take the OVERLOADED line before the connection is closed anyway. */
    static final long OVERLOAD_CLOSE_GRACE_MILLIS = 5_000;

    private final Channel channel;
    private final long pendingBytesMax;
    private final String memberId;
    private final Runnable onOverflow;
    private final CompletableFuture<HttpReply> answer = new CompletableFuture<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private volatile boolean overflowed;

    // Event loop only.
    private final ArrayDeque<Line> early = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean ended;

    private record Line(byte[] bytes, boolean last) {
    }

    /** @param onOverflow runs on the event loop when the reader fell too far behind: stop producing lines */
    LineStream(Channel channel, long pendingBytesMax, String memberId, Runnable onOverflow) {
        this.channel = channel;
        this.pendingBytesMax = pendingBytesMax;
        this.memberId = memberId;
        this.onOverflow = onOverflow;
    }

    Channel channel() {
        return channel;
    }

    /** The reply to the request: the stream once {@link #start}ed, or what {@link #refuse} gave. */
    CompletableFuture<HttpReply> answer() {
        return answer;
    }

    /** Answers with the stream's head (200, chunked, NDJSON) and {@code headers}; lines may follow. */
    void start(Map<String, String> headers) {
        execute(() -> answer.complete(HttpReply.streaming(NDJSON, headers, this)));
    }

    /** Answers with {@code reply} instead of a stream (a refusal); the connection closes after it. */
    void refuse(HttpReply reply) {
        execute(() -> answer.complete(reply.closing()));
    }

    /** Hands over one line; from any thread. A {@code last} line ends the stream. */
    void send(ObjectNode node, boolean last) {
        if (overflowed) {
            return;
        }
        byte[] line = line(node);
        int size = line.length;
        long pending = pendingBytes.addAndGet(size);
        // One line always goes (a notification's JSON may exceed the binary frame it was sized for).
        if (pending > pendingBytesMax && pending > size) {
            overflowed = true;
            log.warn("member={} ending HTTP stream to {}: over {} bytes of lines not yet written "
                    + "(limits.watch-pending-bytes-max)", memberId, channel.remoteAddress(), pendingBytesMax);
            ObjectNode error = Json.object();
            error.putObject("error").put("code", ErrorCode.OVERLOADED.name()).put("message",
                    "the client reads too slowly; resume from the last revision received");
            byte[] overload = line(error);
            execute(() -> {
                onOverflow.run();
                early.clear();
                emit(new Line(overload, true), false);
                channel.eventLoop().schedule(() -> channel.close(), OVERLOAD_CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            });
            return;
        }
        execute(() -> emit(new Line(line, last), true));
    }

    /** Called by the connection's handler, on the event loop, when it is this answer's turn: writes the head and what waited. */
    void attach(ChannelHandlerContext ctx, HttpReply reply, String memberHeader, String memberId) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, reply.status());
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        reply.headers().forEach((name, value) -> head.headers().set(name, value));
        head.headers().set(memberHeader, memberId);
        head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(head);
        this.ctx = ctx;
        Line line;
        while (!ended && (line = early.poll()) != null) {
            emit(line, true);
        }
    }

    private void emit(Line line, boolean counted) {
        if (ended) {
            return;
        }
        if (ctx == null) {
            early.add(line);
            return;
        }
        if (!channel.isActive()) {
            if (counted) {
                pendingBytes.addAndGet(-line.bytes().length);
            }
            return;
        }
        int size = line.bytes().length;
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(line.bytes()))).addListener(f -> {
            if (counted) {
                pendingBytes.addAndGet(-size);
            }
        });
        if (line.last()) {
            ended = true;
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static byte[] line(ObjectNode node) {
        byte[] json = Json.bytes(node);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    /** Bytes of lines handed over and not yet written out. */
    long pendingBytes() {
        return pendingBytes.get();
    }

    void execute(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the member: the connection is going away anyway.
        }
    }
}

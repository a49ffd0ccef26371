package io.coordinator.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.watch.WatchHub;
import io.coordinator.server.watch.WatchOutput;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
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
 * One watch over HTTP: a {@link WatchOutput} that turns the hub's answer into the head of a chunked
 * {@code application/x-ndjson} response (or into an error reply) and each notification into one
 * JSON line.
 *
 * <p>Ordering as on the binary port ({@code ChannelOutput}): every call of the hub becomes a task on
 * the channel's event loop, never a direct write, so lines leave in the order the hub made them.
 * Lines that come before the head is out (earlier pipelined answers still pending) wait here, in
 * order. Lines not yet written count against {@code limits.watch-pending-bytes-max}; past it the
 * watch is removed at once, the stream gets a final OVERLOADED error line and the connection is
 * closed (once that line is out, or after {@value #OVERLOAD_CLOSE_GRACE_MILLIS} ms). The connection's close,
 * whoever closes it, removes the watch from the hub.
 *
 * <p>The stream ends (last chunk, then the connection closes) after a one-shot watch's notification,
 * after a failure the hub pushes (COMPACTED after a snapshot install, ...), or when the client goes.
 */
final class WatchStream implements WatchOutput {
    private static final Logger log = LoggerFactory.getLogger(WatchStream.class);
    static final String NDJSON = "application/x-ndjson";
    static final String WATCH_ID_HEADER = "X-Coordinator-Watch-Id";
    static final String FROM_HEADER = "X-Coordinator-From-Revision";
    /** A reader too slow gets this long to take the OVERLOADED line before the connection is closed anyway. */
    static final long OVERLOAD_CLOSE_GRACE_MILLIS = 5_000;

    private final Channel channel;
    private final WatchHub hub;
    private final long watchId;
    private final WatchKind kind;
    private final long pendingBytesMax;
    private final String memberId;
    private final CompletableFuture<HttpReply> answer = new CompletableFuture<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private volatile boolean overflowed;

    // Event loop only.
    private final ArrayDeque<Line> early = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean ended;

    private record Line(byte[] bytes, boolean last) {
    }

    WatchStream(Channel channel, WatchHub hub, long watchId, WatchKind kind, long pendingBytesMax, String memberId) {
        this.channel = channel;
        this.hub = hub;
        this.watchId = watchId;
        this.kind = kind;
        this.pendingBytesMax = pendingBytesMax;
        this.memberId = memberId;
        channel.closeFuture().addListener(f -> hub.disconnected(this));
    }

    /** The reply to the watch request: a stream once the hub started it, or the error it refused it with. */
    CompletableFuture<HttpReply> answer() {
        return answer;
    }

    long watchId() {
        return watchId;
    }

    @Override
    public void respond(long requestId, ServerMessage message) {
        execute(() -> {
            if (message instanceof ServerMessage.WatchStarted started) {
                answer.complete(HttpReply.streaming(NDJSON, Map.of(
                        HttpReply.REVISION_HEADER, Long.toString(started.revision()),
                        WATCH_ID_HEADER, Long.toString(watchId),
                        FROM_HEADER, Long.toString(started.fromRevision())), this));
            } else if (message instanceof ServerMessage.WatchFailed failed) {
                answer.complete(new HttpReply(ErrorStatus.of(failed.code()), HttpReply.JSON, Json.bytes(error(failed)),
                        Map.of(HttpReply.REVISION_HEADER, Long.toString(failed.revision())), true));
            } else {
                answer.complete(HttpReply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL",
                        "unexpected answer of the watch hub: " + message.getClass().getSimpleName()));
            }
        });
    }

    @Override
    public void push(long id, ServerMessage message) {
        if (overflowed) {
            return;
        }
        byte[] line;
        boolean last;
        if (message instanceof ServerMessage.WatchNotification notification) {
            line = line(notification(notification));
            last = kind.oneShot() && !notification.continued();
        } else if (message instanceof ServerMessage.WatchFailed failed) {
            line = line(error(failed));
            last = true;
        } else {
            return;
        }
        int size = line.length;
        long pending = pendingBytes.addAndGet(size);
        // One line always goes (a notification's JSON may exceed the binary frame it was sized for).
        if (pending > pendingBytesMax && pending > size) {
            overflowed = true;
            log.warn("member={} ending HTTP watch stream to {}: over {} bytes of watch events not yet written "
                    + "(limits.watch-pending-bytes-max)", memberId, channel.remoteAddress(), pendingBytesMax);
            ObjectNode error = Json.object();
            error.putObject("error").put("code", ErrorCode.OVERLOADED.name()).put("message",
                    "the client reads watch events too slowly; resume from the last revision received");
            byte[] overload = line(error);
            execute(() -> {
                // Not under the hub's lock here: the watch goes now, whether or not the client ever reads the last line.
                hub.disconnected(this);
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

    private ObjectNode notification(ServerMessage.WatchNotification notification) {
        ObjectNode node = Json.object().put("watchId", watchId).put("revision", notification.revision());
        ArrayNode events = node.putArray("events");
        for (WatchEvent event : notification.events()) {
            ObjectNode e = events.addObject().put("type", event.type().name()).put("path", event.path())
                    .put("revision", event.revision());
            Json.putStat(e, "stat", event.stat());
            Json.putData(e, event.data());
        }
        if (notification.continued()) {
            node.put("continued", true);
        }
        return node;
    }

    private static ObjectNode error(ServerMessage.WatchFailed failed) {
        ObjectNode node = Json.object();
        node.putObject("error").put("code", failed.code().name()).put("message", failed.message())
                .put("oldestRevision", failed.oldestRevision()).put("revision", failed.revision());
        return node;
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

    private void execute(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the member: the connection is going away anyway.
        }
    }
}

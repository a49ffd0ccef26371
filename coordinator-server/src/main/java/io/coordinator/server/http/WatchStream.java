package io.coordinator.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.watch.WatchHub;
import io.coordinator.server.watch.WatchOutput;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One watch over HTTP: a {@link WatchOutput} that turns the hub's answer into the head of a
 * {@link LineStream} (or into an error reply) and each notification into one JSON line.
 *
 * <p>Ordering as on the binary port ({@code ChannelOutput}): the stream turns every call of the hub
 * into a task on the channel's event loop, so lines leave in the order the hub made them. Past
 * {@code limits.watch-pending-bytes-max} bytes not yet written, the watch is removed at once and the
 * stream ends with OVERLOADED. The connection's close, whoever closes it, removes the watch from the hub.
 *
 * <p>The stream ends (last chunk, then the connection closes) after a one-shot watch's notification,
 * after a failure the hub pushes (COMPACTED after a snapshot install, ...), or when the client goes.
 */
final class WatchStream implements WatchOutput {
    static final String NDJSON = LineStream.NDJSON;
    static final String WATCH_ID_HEADER = "X-Coordinator-Watch-Id";
    static final String FROM_HEADER = "X-Coordinator-From-Revision";

    private final LineStream stream;
    private final long watchId;
    private final WatchKind kind;

    WatchStream(Channel channel, WatchHub hub, long watchId, WatchKind kind, long pendingBytesMax, String memberId) {
        // Not under the hub's lock when it overflows: the watch goes now, whether or not the client ever reads the last line.
        this.stream = new LineStream(channel, pendingBytesMax, memberId, () -> hub.disconnected(this));
        this.watchId = watchId;
        this.kind = kind;
        channel.closeFuture().addListener(f -> hub.disconnected(this));
    }

    /** The reply to the watch request: a stream once the hub started it, or the error it refused it with. */
    CompletableFuture<HttpReply> answer() {
        return stream.answer();
    }

    long watchId() {
        return watchId;
    }

    @Override
    public void respond(long requestId, ServerMessage message) {
        if (message instanceof ServerMessage.WatchStarted started) {
            stream.start(Map.of(
                    HttpReply.REVISION_HEADER, Long.toString(started.revision()),
                    WATCH_ID_HEADER, Long.toString(watchId),
                    FROM_HEADER, Long.toString(started.fromRevision())));
        } else if (message instanceof ServerMessage.WatchFailed failed) {
            stream.refuse(new HttpReply(ErrorStatus.of(failed.code()), HttpReply.JSON, Json.bytes(error(failed)),
                    Map.of(HttpReply.REVISION_HEADER, Long.toString(failed.revision())), true));
        } else {
            stream.refuse(HttpReply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL",
                    "unexpected answer of the watch hub: " + message.getClass().getSimpleName()));
        }
    }

    @Override
    public void push(long id, ServerMessage message) {
        if (message instanceof ServerMessage.WatchNotification notification) {
            stream.send(notification(notification), kind.oneShot() && !notification.continued());
        } else if (message instanceof ServerMessage.WatchFailed failed) {
            stream.send(error(failed), true);
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

    static ObjectNode error(ServerMessage.WatchFailed failed) {
        ObjectNode node = Json.object();
        node.putObject("error").put("code", failed.code().name()).put("message", failed.message())
                .put("oldestRevision", failed.oldestRevision()).put("revision", failed.revision());
        return node;
    }

    /** Bytes of lines handed over and not yet written out. */
    long pendingBytes() {
        return stream.pendingBytes();
    }
}

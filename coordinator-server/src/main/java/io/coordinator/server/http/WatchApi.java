package io.coordinator.server.http;

import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.watch.WatchHub;
import io.netty.channel.Channel;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /v1/watch/PATH?kind=K&from-revision=R}: one watch of the member's {@link WatchHub} as a
 * streaming response ({@link WatchStream}). Each stream is its own output of the hub, so the hub's
 * per-connection bounds apply per stream; watch ids are unique on this member's gateway.
 */
final class WatchApi {
    private final WatchHub hub;
    private final long pendingBytesMax;
    private final String memberId;
    private final AtomicLong ids = new AtomicLong();

    WatchApi(WatchHub hub, long pendingBytesMax, String memberId) {
        this.hub = hub;
        this.pendingBytesMax = pendingBytesMax;
        this.memberId = memberId;
    }

    CompletableFuture<HttpReply> watch(HttpCall call, String path, Channel channel) {
        call.allowOnly("kind", "from-revision");
        WatchKind kind = kind(call.param("kind"));
        long from = call.longParam("from-revision", 0);
        if (from < 0) {
            throw GatewayException.badArguments("from-revision must not be negative (0 = from the next revision)");
        }
        WatchStream stream = new WatchStream(channel, hub, ids.incrementAndGet(), kind, pendingBytesMax, memberId);
        hub.watch(stream, stream.watchId(), new ClientMessage.Watch(path, kind, from));
        return stream.answer();
    }

    /** data, exists, children, persistent (the default), recursive (or persistent-recursive). */
    static WatchKind kind(String value) {
        if (value == null) {
            return WatchKind.PERSISTENT;
        }
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (name.equals("RECURSIVE")) {
            return WatchKind.PERSISTENT_RECURSIVE;
        }
        try {
            return WatchKind.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw GatewayException.badArguments("kind '" + value
                    + "' is none of data, exists, children, persistent, recursive");
        }
    }
}

package io.coordinator.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.watch.WatchHub;
import io.coordinator.server.watch.WatchOutput;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code GET /v1/election/NAME?observe=true}: the leader of an election as a {@link LineStream}, one
 * line per change, after etcd's {@code Observe}. The first line is the leader as of a linearizable
 * read (or {@code "leader": null}); a recursive watch of NAME in the member's hub, from the revision
 * after that read, then wakes the stream on every change under NAME, and the stream reads the leader
 * again (from this member, at that revision or later) and writes a line when the leader, its token
 * or its value differs from the last line. Several changes in quick succession may be seen as the
 * last of them; the current leader is never missed. Reads are coalesced: at most one at a time.
 *
 * <p>The stream ends when the client goes, when the hub ends the watch (a last error line:
 * COMPACTED after a snapshot install), or when a read fails (a last error line); observe again then.
 */
final class LeaderStream implements WatchOutput {
    private static final long WATCH_ID = 1;

    private final LineStream stream;
    private final WatchHub hub;
    private final RecipeQueue queue;
    private final String name;

    // Event loop only.
    private RecipeQueue.Head first;
    private RecipeQueue.Holder last;
    private boolean heard;
    private long seenRevision;
    private long wantedRevision;
    private boolean reading;
    private boolean ended;

    private LeaderStream(Channel channel, WatchHub hub, RecipeQueue queue, String name, long pendingBytesMax, String memberId) {
        this.stream = new LineStream(channel, pendingBytesMax, memberId, this::end);
        this.hub = hub;
        this.queue = queue;
        this.name = name;
        channel.closeFuture().addListener(f -> hub.disconnected(this));
    }

    static CompletableFuture<HttpReply> observe(Channel channel, WatchHub hub, RecipeQueue queue, String name,
                                                long pendingBytesMax, String memberId) {
        LeaderStream observer = new LeaderStream(channel, hub, queue, name, pendingBytesMax, memberId);
        queue.head(name, Consistency.LINEARIZABLE, 0).whenComplete((head, failure) -> observer.stream.execute(() -> {
            if (failure != null) {
                observer.stream.refuse(errorReply(failure));
                return;
            }
            if (!channel.isActive()) {
                return; // the client left during the read: its close already cleared the hub of this output
            }
            observer.first = head;
            observer.seenRevision = head.revision();
            hub.watch(observer, WATCH_ID, new ClientMessage.Watch(name, WatchKind.PERSISTENT_RECURSIVE, head.revision() + 1));
        }));
        return observer.stream.answer();
    }

    @Override
    public void respond(long requestId, ServerMessage message) {
        if (message instanceof ServerMessage.WatchStarted) {
            stream.execute(() -> {
                stream.start(Map.of(HttpReply.REVISION_HEADER, Long.toString(first.revision())));
                deliver(first);
            });
        } else if (message instanceof ServerMessage.WatchFailed failed) {
            stream.refuse(new HttpReply(ErrorStatus.of(failed.code()), HttpReply.JSON, Json.bytes(WatchStream.error(failed)),
                    Map.of(HttpReply.REVISION_HEADER, Long.toString(failed.revision())), true));
        }
    }

    @Override
    public void push(long watchId, ServerMessage message) {
        if (message instanceof ServerMessage.WatchNotification notification) {
            stream.execute(() -> {
                wantedRevision = Math.max(wantedRevision, notification.revision());
                refresh();
            });
        } else if (message instanceof ServerMessage.WatchFailed failed) {
            stream.execute(() -> fail(WatchStream.error(failed)));
        }
    }

    /** Reads the leader again if a change came after the last read; one read at a time. */
    private void refresh() {
        if (reading || ended || wantedRevision <= seenRevision) {
            return;
        }
        reading = true;
        queue.head(name, Consistency.SERIALIZABLE, wantedRevision).whenComplete((head, failure) -> stream.execute(() -> {
            reading = false;
            if (failure != null) {
                fail((ObjectNode) Json.parse(errorReply(failure).body()));
                return;
            }
            seenRevision = Math.max(seenRevision, head.revision());
            deliver(head);
            refresh();
        }));
    }

    private void deliver(RecipeQueue.Head head) {
        if (ended) {
            return;
        }
        RecipeQueue.Holder now = head.holder().orElse(null);
        boolean same = now == null ? last == null : now.same(last);
        if (heard && same) {
            return;
        }
        heard = true;
        last = now;
        ObjectNode line = Json.object().put("name", name);
        if (now == null) {
            line.putNull("leader");
        } else {
            ObjectNode leader = line.putObject("leader").put("key", now.key()).put("token", now.token());
            Json.putData(leader, now.data());
        }
        line.put("revision", head.revision());
        stream.send(line, false);
    }

    private void fail(ObjectNode error) {
        if (ended) {
            return;
        }
        end();
        stream.send(error, true);
    }

    private void end() {
        ended = true;
        hub.disconnected(this);
    }

    private static HttpReply errorReply(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof GatewayException refused) {
            return refused.reply();
        }
        return HttpReply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", String.valueOf(cause));
    }
}

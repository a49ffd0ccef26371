package io.coordinator.client.fake;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.protocol.wire.Frame;
import io.netty.channel.Channel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The watch side of a stand-in member: a history of scripted revisions, watches that replay it and
 * then get live pushes, COMPACTED below {@link #compactBelow}, BAD_ARGUMENTS for a revision it has
 * not reached. Other requests go to {@code calls}. Every frame it sends is queued on the channel's
 * event loop, so frames leave in the order they were sent, whichever thread sent them.
 */
public final class FakeWatches implements FakeMember.Handler {
    private record Live(Channel channel, long id, String path, WatchKind kind) {
    }

    private final FakeMember.Handler calls;
    private final TreeMap<Long, List<WatchEvent>> history = new TreeMap<>();
    private final List<Live> live = new ArrayList<>();
    private final List<ClientMessage.Watch> watchRequests = new CopyOnWriteArrayList<>();
    private final List<Long> unwatched = new CopyOnWriteArrayList<>();
    private long revision;
    private long oldest = 1;
    /** A faulty member that replays one revision too many: the client must drop the repeat. */
    private volatile boolean replayOneEarlier;

    public FakeWatches(FakeMember.Handler calls) {
        this.calls = calls;
    }

    @Override
    public synchronized void handle(FakeMember.Received r) {
        if (r.message() instanceof ClientMessage.Watch watch) {
            watchRequests.add(watch);
            startWatch(r, watch);
        } else if (r.message() instanceof ClientMessage.Unwatch unwatch) {
            unwatched.add(unwatch.watchId());
            boolean found = live.removeIf(l -> l.id == unwatch.watchId() && l.channel == r.channel());
            send(r.channel(), Frame.Kind.RESPONSE, r.requestId(), new ServerMessage.Unwatched(unwatch.watchId(), found));
        } else {
            calls.handle(r);
        }
    }

    private void startWatch(FakeMember.Received r, ClientMessage.Watch watch) {
        long from = watch.fromRevision() == 0 ? revision + 1 : watch.fromRevision();
        if (from < oldest) {
            send(r.channel(), Frame.Kind.RESPONSE, r.requestId(), new ServerMessage.WatchFailed(r.requestId(),
                    ErrorCode.COMPACTED, "revision " + from + " is compacted", oldest, revision));
            return;
        }
        if (from > revision + 1) {
            send(r.channel(), Frame.Kind.RESPONSE, r.requestId(), new ServerMessage.WatchFailed(r.requestId(),
                    ErrorCode.BAD_ARGUMENTS, "revision from the future", oldest, revision));
            return;
        }
        send(r.channel(), Frame.Kind.RESPONSE, r.requestId(), new ServerMessage.WatchStarted(r.requestId(), from, revision));
        Live l = new Live(r.channel(), r.requestId(), watch.path(), watch.kind());
        r.channel().closeFuture().addListener(f -> dropChannel(l.channel));
        long replayFrom = replayOneEarlier ? Math.max(oldest, from - 1) : from;
        for (Map.Entry<Long, List<WatchEvent>> entry : history.tailMap(replayFrom, true).entrySet()) {
            if (push(l, entry.getKey(), entry.getValue()) && l.kind.oneShot()) {
                return;
            }
        }
        live.add(l);
    }

    /** Applies a revision: into the history, and to every live watch it matches. */
    public synchronized void apply(long rev, WatchEvent... events) {
        if (rev != revision + 1) {
            throw new IllegalArgumentException("expected revision " + (revision + 1) + ", got " + rev);
        }
        revision = rev;
        history.put(rev, List.of(events));
        for (Live l : List.copyOf(live)) {
            if (push(l, rev, List.of(events)) && l.kind.oneShot()) {
                live.remove(l);
            }
        }
    }

    private synchronized void dropChannel(Channel channel) {
        live.removeIf(l -> l.channel == channel);
    }

    /** Forgets revisions below {@code oldest}: watches from there get COMPACTED. */
    public synchronized void compactBelow(long oldestKept) {
        oldest = oldestKept;
        history.headMap(oldestKept, false).clear();
    }

    /** Ends every live watch with a pushed failure. */
    public synchronized void endAll(ErrorCode code) {
        for (Live l : live) {
            send(l.channel, Frame.Kind.EVENT, l.id, new ServerMessage.WatchFailed(l.id, code, "ended by the test", oldest, revision));
        }
        live.clear();
    }

    /** Pushes a notification as given, to every live watch (for split revisions and other oddities). */
    public synchronized void pushRaw(long rev, List<WatchEvent> events, boolean continued) {
        for (Live l : live) {
            send(l.channel, Frame.Kind.EVENT, l.id, new ServerMessage.WatchNotification(l.id, rev, events, continued));
        }
    }

    public void replayOneEarlier(boolean on) {
        replayOneEarlier = on;
    }

    public synchronized long revision() {
        return revision;
    }

    public synchronized int liveCount() {
        return live.size();
    }

    public List<ClientMessage.Watch> watchRequests() {
        return List.copyOf(watchRequests);
    }

    public List<Long> unwatched() {
        return List.copyOf(unwatched);
    }

    /** Answers a call in order with the pushes before it. */
    public static void reply(FakeMember.Received r, ServerMessage message) {
        send(r.channel(), Frame.Kind.RESPONSE, r.requestId(), message);
    }

    private boolean push(Live l, long rev, List<WatchEvent> events) {
        List<WatchEvent> matching = events.stream().filter(e -> l.kind.matches(l.path, e)).toList();
        if (matching.isEmpty()) {
            return false;
        }
        send(l.channel, Frame.Kind.EVENT, l.id, new ServerMessage.WatchNotification(l.id, rev, matching, false));
        return true;
    }

    private static void send(Channel channel, Frame.Kind kind, long id, ServerMessage message) {
        Frame frame = new Frame(kind, id, Codec.smile().encode(message));
        channel.eventLoop().execute(() -> channel.writeAndFlush(frame));
    }
}

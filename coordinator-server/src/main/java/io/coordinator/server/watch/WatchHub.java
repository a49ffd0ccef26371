package io.coordinator.server.watch;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.core.tree.Paths;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.state.EventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A member's watches: the bounded history of recent events and every live watch, fed by the thread
 * that applies the log.
 *
 * <p>Ordering. {@link #accept} runs under the replicated tree's lock, before the revision becomes
 * visible to anybody (reads, revision waiters), and hands each notification to its
 * {@link WatchOutput} at once. A connection's output keeps one FIFO for answers and pushes, so an
 * answer that reflects revision R is queued after every event up to R. A new watch is answered,
 * replayed from the history and made live under this hub's lock, the same lock live dispatch holds:
 * nothing of another revision can slip in between, so per watch the events come in revision order,
 * without gaps and without duplicates, and all events of one revision for a watch go out together.
 *
 * <p>Every revision the state machine makes carries at least one event, so the hub's revision is
 * the member's revision. A snapshot install ({@link #restart}) starts the history over; watches that
 * would miss events end with COMPACTED.
 */
public final class WatchHub implements EventSink {
    private static final Logger log = LoggerFactory.getLogger(WatchHub.class);
    /** Smile writes binary data 7 bits to a byte. */
    private static final double SMILE_BINARY_EXPANSION = 8.0 / 7.0;

    /**
     * @param historyEventsMax        events kept for watches that start in the past
     * @param historyBytesMax         estimated bytes of those events at most
     * @param watchesPerConnectionMax live or waiting watches of one connection; more get TOO_LARGE
     * @param futureWaitMillis        how long a watch from a revision this member has not reached yet
     *                                waits for it before failing with BAD_ARGUMENTS
     * @param notificationBytesMax    a revision's events for one watch beyond this estimate are split over
     *                                several frames
     * @param pathLengthMax           longest watched path, in UTF-8 bytes
     */
    public record Settings(int historyEventsMax, long historyBytesMax, int watchesPerConnectionMax,
                           long futureWaitMillis, int notificationBytesMax, int pathLengthMax) {
        public Settings {
            if (historyEventsMax <= 0 || historyBytesMax <= 0 || watchesPerConnectionMax <= 0 || futureWaitMillis < 0
                    || notificationBytesMax <= 0 || pathLengthMax <= 1) {
                throw new IllegalArgumentException("invalid watch settings: " + this);
            }
        }
    }

    private final String memberId;
    private final Settings settings;
    private final ScheduledExecutorService timer;
    private final EventHistory history;
    private final Map<String, List<ServerWatch>> exact = new HashMap<>();
    private final Map<String, List<ServerWatch>> recursive = new HashMap<>();
    private final Map<WatchOutput, Map<Long, ServerWatch>> byOutput = new IdentityHashMap<>();
    private final List<ServerWatch> waiting = new ArrayList<>();
    private long revision;
    private boolean ready;

    private final AtomicLong watchesStarted = new AtomicLong();
    private final AtomicLong watchesRefused = new AtomicLong();
    private final AtomicLong compactedRefusals = new AtomicLong();
    private final AtomicLong notificationsSent = new AtomicLong();
    private final AtomicLong eventsSent = new AtomicLong();

    /** @param timer runs the bounded waits of watches from the future; tasks are short and never block */
    public WatchHub(String memberId, Settings settings, ScheduledExecutorService timer) {
        this.memberId = memberId;
        this.settings = settings;
        this.timer = timer;
        this.history = new EventHistory(settings.historyEventsMax(), settings.historyBytesMax(), 0);
    }

    /**
     * The member has joined its cluster and replayed its log: from now on a watch "from now" means
     * something. Before, watches are refused with UNAVAILABLE (the client tries another member).
     */
    public synchronized void ready() {
        ready = true;
    }

    /** Starts watch {@code watchId} of {@code out}; the answer goes to {@code out} (maybe later, for a revision from the future). */
    public void watch(WatchOutput out, long watchId, ClientMessage.Watch request) {
        Response.Failure badPath = Paths.check(request.path(), settings.pathLengthMax());
        synchronized (this) {
            if (badPath != null) {
                refuse(out, watchId, badPath.code(), badPath.message());
                return;
            }
            if (!ready) {
                refuse(out, watchId, ErrorCode.UNAVAILABLE, "member " + memberId + " is starting");
                return;
            }
            if (request.fromRevision() < 0) {
                refuse(out, watchId, ErrorCode.BAD_ARGUMENTS, "fromRevision " + request.fromRevision() + " is negative");
                return;
            }
            Map<Long, ServerWatch> mine = byOutput.computeIfAbsent(out, o -> new HashMap<>());
            if (mine.containsKey(watchId)) {
                refuse(out, watchId, ErrorCode.BAD_ARGUMENTS, "watch id " + watchId + " is in use on this connection");
                return;
            }
            if (mine.size() >= settings.watchesPerConnectionMax()) {
                refuse(out, watchId, ErrorCode.TOO_LARGE, "this connection already holds "
                        + settings.watchesPerConnectionMax() + " watches (limits.watches-per-connection-max)");
                return;
            }
            long from = request.fromRevision() == 0 ? revision + 1 : request.fromRevision();
            if (from < history.oldestRevision()) {
                compactedRefusals.incrementAndGet();
                refuse(out, watchId, ErrorCode.COMPACTED, "revision " + from + " is compacted; the oldest revision "
                        + "member " + memberId + " still has is " + history.oldestRevision());
                return;
            }
            ServerWatch watch = new ServerWatch(out, watchId, request.path(), request.kind(), from);
            mine.put(watchId, watch);
            if (from > revision + 1) {
                waiting.add(watch);
                watch.timeout = schedule(() -> futureTimedOut(watch), settings.futureWaitMillis());
                log.debug("member={} watch {} on {} waits for revision {} (at {})", memberId, watchId,
                        request.path(), from - 1, revision);
            } else {
                start(watch);
            }
        }
    }

    /** Ends watch {@code watchId} of {@code out}, answering request {@code requestId}. */
    public synchronized void unwatch(WatchOutput out, long requestId, long watchId) {
        Map<Long, ServerWatch> mine = byOutput.get(out);
        ServerWatch watch = mine == null ? null : mine.get(watchId);
        if (watch != null) {
            if (waiting.contains(watch)) {
                out.respond(watchId, failed(watchId, ErrorCode.BAD_ARGUMENTS, "unwatched before it started"));
            }
            remove(watch);
        }
        out.respond(requestId, new ServerMessage.Unwatched(watchId, watch != null));
    }

    /** The connection behind {@code out} is gone: so are its watches. */
    public synchronized void disconnected(WatchOutput out) {
        Map<Long, ServerWatch> mine = byOutput.get(out);
        if (mine != null) {
            new ArrayList<>(mine.values()).forEach(this::remove);
        }
        byOutput.remove(out);
    }

    /** Called by the replicated tree, in revision order, before the revisions become visible. */
    @Override
    public synchronized void accept(List<WatchEvent> events) {
        try {
            int i = 0;
            while (i < events.size()) {
                long rev = events.get(i).revision();
                int end = i;
                while (end < events.size() && events.get(end).revision() == rev) {
                    end++;
                }
                List<WatchEvent> group = List.copyOf(events.subList(i, end));
                if (rev != revision + 1) {
                    log.error("member={} events jumped from revision {} to {}; ending every watch", memberId, revision, rev);
                    endAll(rev - 1, "events jumped from revision " + revision + " to " + rev);
                }
                history.append(rev, group);
                revision = rev;
                dispatch(rev, group);
                i = end;
            }
            startWaiting();
        } catch (RuntimeException e) {
            // A bug here must not stop the member's state machine; the watches it may have broken end
            // with UNAVAILABLE, which clients answer by resuming from their last revision.
            log.error("member={} watch dispatch failed at revision {}; ending every watch", memberId, revision, e);
            long last = events.isEmpty() ? revision : Math.max(revision, events.get(events.size() - 1).revision());
            endAllWith(ErrorCode.UNAVAILABLE, "watch dispatch failed on member " + memberId);
            history.reset(last);
            revision = last;
        }
    }

    /**
     * The member installed a snapshot at {@code snapshotRevision}: the history starts over after it.
     * Unless the member was at that very revision, events between its old revision and the snapshot's
     * will never pass through here, so live watches end with COMPACTED.
     */
    public synchronized void restart(long snapshotRevision) {
        if (snapshotRevision == revision) {
            return;
        }
        log.info("member={} installed a snapshot at revision {} (was at {}); watch history restarts", memberId,
                snapshotRevision, revision);
        endAll(snapshotRevision, "member " + memberId + " installed a snapshot at revision " + snapshotRevision
                + " (it was at " + revision + ")");
        startWaiting();
    }

    /**
     * Restarts the history after {@code newLastRevision} and ends (COMPACTED) every watch that still
     * needs a revision up to it: those events will never pass through here. Watches past it stay; if
     * the revisions went back, they skip what they already had.
     */
    private void endAll(long newLastRevision, String why) {
        long oldRevision = revision;
        history.reset(newLastRevision);
        revision = newLastRevision;
        for (Map<Long, ServerWatch> mine : List.copyOf(byOutput.values())) {
            for (ServerWatch watch : List.copyOf(mine.values())) {
                boolean started = !waiting.contains(watch);
                // A live watch has had (or had no interest in) every revision up to the old one.
                long needs = started ? oldRevision + 1 : watch.from;
                if (started) {
                    watch.next = Math.max(watch.next, needs);
                }
                if (needs <= newLastRevision) {
                    ServerMessage message = failed(watch.id, ErrorCode.COMPACTED, why + "; the oldest revision left is "
                            + history.oldestRevision());
                    remove(watch);
                    if (started) {
                        watch.out.push(watch.id, message);
                    } else {
                        watch.out.respond(watch.id, message);
                    }
                }
            }
        }
    }

    private void endAllWith(ErrorCode code, String why) {
        for (Map<Long, ServerWatch> mine : List.copyOf(byOutput.values())) {
            for (ServerWatch watch : List.copyOf(mine.values())) {
                boolean started = !waiting.contains(watch);
                remove(watch);
                ServerMessage message = failed(watch.id, code, why);
                if (started) {
                    watch.out.push(watch.id, message);
                } else {
                    watch.out.respond(watch.id, message);
                }
            }
        }
    }

    private void start(ServerWatch watch) {
        watch.out.respond(watch.id, new ServerMessage.WatchStarted(watch.id, watch.from, revision));
        watchesStarted.incrementAndGet();
        log.debug("member={} watch {} {} on {} starts at revision {} (at {})", memberId, watch.id, watch.kind,
                watch.path, watch.from, revision);
        for (long rev = watch.from; rev <= revision; rev++) {
            EventHistory.Entry entry = history.get(rev);
            if (entry == null) {
                throw new IllegalStateException("history lacks revision " + rev + " it claimed to have");
            }
            List<WatchEvent> matching = new ArrayList<>();
            for (WatchEvent event : entry.events()) {
                if (watch.kind.matches(watch.path, event)) {
                    matching.add(event);
                }
            }
            if (!matching.isEmpty()) {
                send(watch, rev, matching);
                if (watch.kind.oneShot()) {
                    remove(watch);
                    return;
                }
            }
        }
        watch.next = revision + 1;
        (watch.kind.recursive() ? recursive : exact).computeIfAbsent(watch.path, p -> new ArrayList<>()).add(watch);
    }

    private void dispatch(long rev, List<WatchEvent> group) {
        if (exact.isEmpty() && recursive.isEmpty()) {
            return;
        }
        // Identity keys: one entry per watch, in the order the watches were first hit.
        Map<ServerWatch, List<WatchEvent>> hits = new LinkedHashMap<>();
        for (WatchEvent event : group) {
            for (ServerWatch watch : exact.getOrDefault(event.path(), List.of())) {
                if (rev >= watch.next && watch.kind.matches(watch.path, event)) {
                    hits.computeIfAbsent(watch, w -> new ArrayList<>()).add(event);
                }
            }
            if (!recursive.isEmpty()) {
                String path = event.path();
                while (true) {
                    for (ServerWatch watch : recursive.getOrDefault(path, List.of())) {
                        if (rev >= watch.next) {
                            hits.computeIfAbsent(watch, w -> new ArrayList<>()).add(event);
                        }
                    }
                    if (path.equals(Paths.ROOT)) {
                        break;
                    }
                    path = Paths.parent(path);
                }
            }
        }
        hits.forEach((watch, events) -> {
            send(watch, rev, events);
            watch.next = rev + 1;
            if (watch.kind.oneShot()) {
                remove(watch);
            }
        });
    }

    private void send(ServerWatch watch, long rev, List<WatchEvent> events) {
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            long size = encodedEstimate(events.get(i));
            if (i > start && bytes + size > settings.notificationBytesMax()) {
                push(watch, rev, events.subList(start, i), true);
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        push(watch, rev, events.subList(start, events.size()), false);
    }

    private void push(ServerWatch watch, long rev, List<WatchEvent> events, boolean continued) {
        watch.out.push(watch.id, new ServerMessage.WatchNotification(watch.id, rev, events, continued));
        notificationsSent.incrementAndGet();
        eventsSent.addAndGet(events.size());
    }

    private static long encodedEstimate(WatchEvent event) {
        return 256 + 2L * event.path().length() + (long) Math.ceil(event.data().length * SMILE_BINARY_EXPANSION);
    }

    private void startWaiting() {
        if (waiting.isEmpty()) {
            return;
        }
        for (ServerWatch watch : List.copyOf(waiting)) {
            if (watch.from <= revision + 1) {
                waiting.remove(watch);
                cancelTimeout(watch);
                start(watch);
            }
        }
    }

    private synchronized void futureTimedOut(ServerWatch watch) {
        if (!waiting.remove(watch)) {
            return;
        }
        remove(watch);
        refuse(watch.out, watch.id, ErrorCode.BAD_ARGUMENTS, "revision from the future: the watch starts at revision "
                + watch.from + " but member " + memberId + " is at " + revision + " after waiting "
                + settings.futureWaitMillis() + " ms");
    }

    private void remove(ServerWatch watch) {
        Map<Long, ServerWatch> mine = byOutput.get(watch.out);
        if (mine != null && mine.get(watch.id) == watch) {
            mine.remove(watch.id);
        }
        if (waiting.remove(watch)) {
            cancelTimeout(watch);
            return;
        }
        Map<String, List<ServerWatch>> index = watch.kind.recursive() ? recursive : exact;
        List<ServerWatch> atPath = index.get(watch.path);
        if (atPath != null) {
            atPath.remove(watch);
            if (atPath.isEmpty()) {
                index.remove(watch.path);
            }
        }
    }

    private void refuse(WatchOutput out, long watchId, ErrorCode code, String message) {
        watchesRefused.incrementAndGet();
        log.debug("member={} watch {} refused: {} {}", memberId, watchId, code, message);
        out.respond(watchId, failed(watchId, code, message));
    }

    private ServerMessage.WatchFailed failed(long watchId, ErrorCode code, String message) {
        return new ServerMessage.WatchFailed(watchId, code, message, history.oldestRevision(), revision);
    }

    private ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        try {
            return timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The member is stopping; its connections (and so this watch) are going away.
            return null;
        }
    }

    private static void cancelTimeout(ServerWatch watch) {
        if (watch.timeout != null) {
            watch.timeout.cancel(false);
            watch.timeout = null;
        }
    }

    /** The member's revision as the watches see it (the last one dispatched). */
    public synchronized long revision() {
        return revision;
    }

    /** The oldest revision a watch can start from here. */
    public synchronized long oldestRevision() {
        return history.oldestRevision();
    }

    public synchronized int historyEvents() {
        return history.eventCount();
    }

    public synchronized long historyBytes() {
        return history.byteCount();
    }

    /** Watches live or waiting for their revision, over every connection. */
    public synchronized int watchesActive() {
        int n = 0;
        for (Map<Long, ServerWatch> mine : byOutput.values()) {
            n += mine.size();
        }
        return n;
    }

    /** Watches that started since the member did (for metrics). */
    public long watchesStarted() {
        return watchesStarted.get();
    }

    /** Watch requests answered with a failure (COMPACTED included). */
    public long watchesRefused() {
        return watchesRefused.get();
    }

    public long compactedRefusals() {
        return compactedRefusals.get();
    }

    /** EVENT frames with notifications handed to connections. */
    public long notificationsSent() {
        return notificationsSent.get();
    }

    /** Events in those notifications. */
    public long eventsSent() {
        return eventsSent.get();
    }

    /** One watch of one connection. Guarded by the hub's lock; identity matters. */
    private static final class ServerWatch {
        final WatchOutput out;
        final long id;
        final String path;
        final WatchKind kind;
        final long from;
        /** The lowest revision it may still be sent: from, then one past the last it was sent or caught up to. */
        long next;
        ScheduledFuture<?> timeout;

        ServerWatch(WatchOutput out, long id, String path, WatchKind kind, long from) {
            this.out = out;
            this.id = id;
            this.path = path;
            this.kind = kind;
            this.from = from;
            this.next = from;
        }
    }
}

package io.coordinator.client.impl;

import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.WatchKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One watch of the client, across the registrations that carry it from member to member. Its
 * fields are guarded by the {@link WatchRegistry}'s lock; its listener runs on the callback
 * executor, one call at a time, in the order the calls were queued.
 */
final class ClientWatch implements Watch {
    private static final Logger log = LoggerFactory.getLogger(ClientWatch.class);

    enum State {
        /** Waiting for a connection to be (re)started on. */
        PENDING,
        /** Watch request sent, answer not there yet. */
        REGISTERING,
        ACTIVE,
        /** Closed, fired (one-shot), failed, or the client closed. */
        DONE
    }

    private final WatchRegistry registry;
    final String path;
    final WatchKind kind;
    final WatchListener listener;
    private final long requestedFrom;
    private final Executor callbacks;
    final CompletableFuture<Watch> started = new CompletableFuture<>();

    volatile State state = State.PENDING;
    Connection connection;
    Connector.Slot slot;
    /** The id of its current (or last) registration: the request id of that Watch request. */
    long id;
    /** Where the first registration started (the member resolves "from now"); 0 until then. */
    volatile long startFrom;
    /** The last revision received; 0 before the first. */
    volatile long lastRevision;
    boolean everStarted;
    String lastProblem;
    List<WatchEvent> partial;
    long partialRevision;

    private final ArrayDeque<Runnable> undelivered = new ArrayDeque<>();
    private boolean delivering;

    ClientWatch(WatchRegistry registry, String path, WatchKind kind, long requestedFrom, WatchListener listener,
                Executor callbacks) {
        this.registry = registry;
        this.path = path;
        this.kind = kind;
        this.requestedFrom = requestedFrom;
        this.listener = listener;
        this.callbacks = callbacks;
    }

    /** The revision to (re)start from: right after the last one received, else where it first started. */
    long nextFrom() {
        if (lastRevision > 0) {
            return lastRevision + 1;
        }
        return startFrom > 0 ? startFrom : requestedFrom;
    }

    /** Queues a listener call behind the earlier ones of this watch. */
    void deliver(Runnable call) {
        synchronized (undelivered) {
            undelivered.addLast(call);
            if (delivering) {
                return;
            }
            delivering = true;
        }
        try {
            callbacks.execute(this::drain);
        } catch (RejectedExecutionException e) {
            drain();
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (undelivered) {
                next = undelivered.pollFirst();
                if (next == null) {
                    delivering = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                log.warn("watch listener on {} failed", path, e);
            }
        }
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public WatchKind kind() {
        return kind;
    }

    @Override
    public long fromRevision() {
        return startFrom > 0 ? startFrom : requestedFrom;
    }

    @Override
    public long lastRevision() {
        return lastRevision;
    }

    @Override
    public boolean isActive() {
        return state != State.DONE;
    }

    @Override
    public void close() {
        registry.close(this);
    }

    @Override
    public String toString() {
        return "Watch[" + kind + " " + path + " from " + fromRevision() + ", last " + lastRevision + ", " + state + "]";
    }
}

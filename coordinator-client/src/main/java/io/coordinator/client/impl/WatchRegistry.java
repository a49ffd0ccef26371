package io.coordinator.client.impl;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchCompactedException;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

/**
 * The client's watches. A watch lives on the client's one connection, under the id of the Watch
 * request that started it there. When that connection goes (the member died, or a call gave up on
 * it), every watch on it is started again on the next connection from the revision after the last
 * one it received (or from where it first started, if it received none), so its listener sees every
 * revision once, in order, whichever member serves it. Notifications of a revision it already has
 * are dropped.
 *
 * <p>Retries: a lost connection, UNAVAILABLE, OVERLOADED, or a revision the member has not reached
 * yet (a lagging member) moves to the next member and tries again after the client's
 * {@link Backoff}; a watch that never started gives up at the request timeout. A call that moves the
 * client to another member leaves the watches where they are until their connection has drained and
 * closed (see {@link Connector}); then they resume on the current member at once. Any other failure (COMPACTED, TOO_LARGE, INVALID_PATH,
 * ...) ends the watch: the caller's future fails, or, once it had started, the listener hears
 * {@link WatchListener#onError}.
 *
 * <p>Locking: state changes under {@link #lock}; nothing is sent, completed or scheduled while
 * holding it, except cheap non-blocking calls. Frames arrive on the I/O thread in order, so a
 * watch's answer is handled before its first notification.
 */
public final class WatchRegistry {
    private static final Logger log = LoggerFactory.getLogger(WatchRegistry.class);

    private final ClientConfig config;
    private final Invoker invoker;
    private final Executor callbacks;
    private final Codec codec = Codec.smile();
    private final Object lock = new Object();
    /** Guarded by lock. Watches not DONE. */
    private final Set<ClientWatch> watches = new LinkedHashSet<>();
    /** Guarded by lock. The current registration of each watch, by its id on its connection. */
    private final Map<Long, ClientWatch> byId = new HashMap<>();
    private boolean acquiring;
    private boolean closed;
    private int failures;
    private ScheduledFuture<?> retryTimer;

    WatchRegistry(ClientConfig config, Invoker invoker, Executor callbacks) {
        this.config = config;
        this.invoker = invoker;
        this.callbacks = callbacks;
    }

    /**
     * Starts a watch. The future (completing on the I/O thread) holds the handle once a member
     * confirmed it, or fails with the typed reason it could not start within the request timeout.
     */
    public CompletableFuture<Watch> watch(String path, WatchKind kind, long fromRevision, WatchListener listener) {
        if (path == null || kind == null || listener == null) {
            throw new IllegalArgumentException("path, kind and listener are required");
        }
        if (fromRevision < 0) {
            throw new IllegalArgumentException("fromRevision must be 0 (from now) or a revision, not " + fromRevision);
        }
        ClientWatch watch = new ClientWatch(this, path, kind, fromRevision, listener, callbacks);
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(CoordinatorException.of(ErrorCode.UNAVAILABLE, "client is closed"));
            }
            watches.add(watch);
        }
        long timeout = config.requestTimeoutMillis();
        ScheduledFuture<?> deadline = invoker.transport().schedule(() -> startDeadlinePassed(watch, timeout), timeout);
        watch.started.whenComplete((w, e) -> deadline.cancel(false));
        kick();
        return watch.started;
    }

    /** Watches that are live or being (re)started. */
    public int activeCount() {
        synchronized (lock) {
            return watches.size();
        }
    }

    /** A connection came up (for a call, say): watches waiting for one can start on it. */
    void connectionUp() {
        kick();
    }

    /** A connection went away: its watches start again on the next one. */
    void connectionLost(Connection connection) {
        boolean any = false;
        synchronized (lock) {
            for (ClientWatch watch : watches) {
                if (watch.connection == connection) {
                    unregister(watch);
                    any = true;
                }
            }
        }
        if (any) {
            log.info("connection to {} lost; resuming its watches on the next member", connection.endpoint());
            kick();
        }
    }

    /** Gets a connection and starts every pending watch on it; one attempt at a time. */
    private void kick() {
        synchronized (lock) {
            if (closed || acquiring || watches.stream().noneMatch(w -> w.state == ClientWatch.State.PENDING)) {
                return;
            }
            acquiring = true;
        }
        Connector.Slot slot = invoker.connector().acquire();
        slot.whenReady((connection, error) -> {
            if (error != null) {
                synchronized (lock) {
                    acquiring = false;
                }
                invoker.connector().moveOn(slot);
                retryLater();
                return;
            }
            List<Registration> start = new ArrayList<>();
            synchronized (lock) {
                acquiring = false;
                if (closed) {
                    return;
                }
                connection.onEvent(message -> onEvent(connection, message));
                for (ClientWatch watch : watches) {
                    if (watch.state == ClientWatch.State.PENDING) {
                        long id = invoker.nextRequestId();
                        watch.state = ClientWatch.State.REGISTERING;
                        watch.connection = connection;
                        watch.slot = slot;
                        watch.id = id;
                        byId.put(id, watch);
                        start.add(new Registration(watch, id, watch.nextFrom()));
                    }
                }
            }
            long silentMillis = config.attemptTimeoutMillis();
            for (Registration r : start) {
                byte[] payload = codec.encode(new ClientMessage.Watch(r.watch.path, r.watch.kind, r.from));
                ScheduledFuture<?> silent = invoker.transport().schedule(() -> answered(r, slot, connection, null,
                        CoordinatorException.of(ErrorCode.TIMEOUT, "no answer from " + connection.endpoint() + " within "
                                + silentMillis + " ms")), silentMillis);
                connection.send(r.id, payload).whenComplete((answer, failure) -> {
                    silent.cancel(false);
                    answered(r, slot, connection, answer, failure);
                });
            }
        });
    }

    private void answered(Registration r, Connector.Slot slot, Connection connection, ServerMessage answer,
                          Throwable failure) {
        ClientWatch watch = r.watch;
        Runnable after = null;
        boolean retry = false;
        boolean stale = false;
        synchronized (lock) {
            if (watch.id != r.id || watch.state != ClientWatch.State.REGISTERING) {
                stale = true;
            } else if (failure != null) {
                // Lost connection, or a silent member: either way the next member is the place to try.
                watch.lastProblem = rootMessage(failure);
                connection.abandon(r.id);
                unregister(watch);
                retry = true;
            } else if (answer instanceof ServerMessage.WatchStarted started) {
                watch.state = ClientWatch.State.ACTIVE;
                if (watch.startFrom <= 0) {
                    watch.startFrom = started.fromRevision();
                }
                if (!watch.everStarted) {
                    watch.everStarted = true;
                    after = () -> watch.started.complete(watch);
                }
                failures = 0;
                log.debug("watch {} {} on {} started at revision {} on {}", r.id, watch.kind, watch.path,
                        started.fromRevision(), connection.endpoint());
            } else if (answer instanceof ServerMessage.WatchFailed refused && retryable(refused, r.from)) {
                watch.lastProblem = refused.code() + ": " + refused.message();
                unregister(watch);
                retry = true;
            } else {
                after = endLocked(watch, failureOf(answer));
            }
        }
        if (stale) {
            // Closed (or moved on) while the answer was on its way: make sure the member drops it too.
            if (answer instanceof ServerMessage.WatchStarted) {
                sendUnwatch(connection, r.id);
            }
            return;
        }
        if (after != null) {
            after.run();
        }
        if (retry) {
            log.debug("watch on {} could not start on {}: {}", watch.path, connection.endpoint(), watch.lastProblem);
            invoker.connector().moveOn(slot);
            retryLater();
        }
    }

    /** UNAVAILABLE, OVERLOADED, or a revision this member has not reached: another member may do. */
    private static boolean retryable(ServerMessage.WatchFailed refused, long from) {
        return refused.code().retryable()
                || (refused.code() == ErrorCode.BAD_ARGUMENTS && from > refused.revision() + 1);
    }

    private static CoordinatorException failureOf(ServerMessage answer) {
        if (answer instanceof ServerMessage.WatchFailed failed) {
            return failed.code() == ErrorCode.COMPACTED
                    ? new WatchCompactedException(failed.message(), failed.oldestRevision())
                    : CoordinatorException.of(failed.code(), failed.message());
        }
        if (answer instanceof ServerMessage.ProtocolError error) {
            return CoordinatorException.of(error.code(), error.message());
        }
        return CoordinatorException.of(ErrorCode.MALFORMED, "a Watch was answered with " + answer);
    }

    /** EVENT frames of one connection, on the I/O thread, in order. */
    private void onEvent(Connection connection, ServerMessage message) {
        if (message instanceof ServerMessage.WatchNotification notification) {
            notified(connection, notification);
        } else if (message instanceof ServerMessage.WatchFailed ended) {
            boolean again;
            Runnable after = null;
            synchronized (lock) {
                ClientWatch watch = byId.get(ended.watchId());
                if (watch == null || watch.connection != connection) {
                    return;
                }
                again = ended.code().retryable();
                if (again) {
                    watch.lastProblem = ended.code() + ": " + ended.message();
                    unregister(watch);
                } else {
                    after = endLocked(watch, failureOf(ended));
                }
            }
            if (after != null) {
                after.run();
            }
            if (again) {
                // The same member may end it again at once: pause like any other retry.
                retryLater();
            }
        } else {
            log.warn("unexpected event from {}: {}", connection.endpoint(), message);
        }
    }

    private void notified(Connection connection, ServerMessage.WatchNotification notification) {
        ClientWatch watch;
        WatchEvents events;
        synchronized (lock) {
            watch = byId.get(notification.watchId());
            if (watch == null || watch.connection != connection || watch.state == ClientWatch.State.DONE) {
                return;
            }
            long revision = notification.revision();
            if (revision <= watch.lastRevision) {
                return; // already delivered (before a resume)
            }
            if (watch.partial != null && watch.partialRevision != revision) {
                watch.partial = null;
            }
            if (notification.continued()) {
                if (watch.partial == null) {
                    watch.partial = new ArrayList<>();
                    watch.partialRevision = revision;
                }
                watch.partial.addAll(notification.events());
                return;
            }
            List<WatchEvent> all = notification.events();
            if (watch.partial != null) {
                watch.partial.addAll(all);
                all = watch.partial;
                watch.partial = null;
            }
            watch.lastRevision = revision;
            events = new WatchEvents(revision, all);
            if (watch.kind.oneShot()) {
                watch.state = ClientWatch.State.DONE;
                watches.remove(watch);
                byId.remove(watch.id);
            }
        }
        invoker.observeRevision(events.revision());
        watch.deliver(() -> watch.listener.onEvents(events));
    }

    private void startDeadlinePassed(ClientWatch watch, long timeoutMillis) {
        Connection connection;
        long id;
        Runnable after;
        synchronized (lock) {
            if (watch.everStarted || watch.state == ClientWatch.State.DONE) {
                return;
            }
            connection = watch.state == ClientWatch.State.REGISTERING ? watch.connection : null;
            id = watch.id;
            String last = watch.lastProblem == null ? "" : "; last: " + watch.lastProblem;
            after = endLocked(watch, CoordinatorException.of(watch.lastProblem == null ? ErrorCode.TIMEOUT
                    : ErrorCode.UNAVAILABLE, "no member started the watch on " + watch.path + " within " + timeoutMillis
                    + " ms" + last));
        }
        after.run();
        if (connection != null) {
            sendUnwatch(connection, id);
        }
    }

    /** Must hold the lock. Back to PENDING, off its connection. */
    private void unregister(ClientWatch watch) {
        byId.remove(watch.id);
        watch.state = ClientWatch.State.PENDING;
        watch.connection = null;
        watch.slot = null;
        watch.partial = null;
    }

    /**
     * Must hold the lock. Ends the watch; returns what to run once the lock is released: fail the
     * caller's future, or, once the watch had started, tell the listener.
     */
    private Runnable endLocked(ClientWatch watch, CoordinatorException error) {
        if (watch.state == ClientWatch.State.DONE) {
            return () -> { };
        }
        watch.state = ClientWatch.State.DONE;
        watches.remove(watch);
        byId.remove(watch.id);
        if (!watch.everStarted) {
            return () -> watch.started.completeExceptionally(error);
        }
        log.info("watch on {} ended: {}", watch.path, error.getMessage());
        return () -> watch.deliver(() -> watch.listener.onError(error));
    }

    /** The user closed the handle. */
    void close(ClientWatch watch) {
        Connection connection;
        long id;
        synchronized (lock) {
            if (watch.state == ClientWatch.State.DONE) {
                return;
            }
            connection = watch.state == ClientWatch.State.PENDING ? null : watch.connection;
            id = watch.id;
            watch.state = ClientWatch.State.DONE;
            watches.remove(watch);
            byId.remove(id);
        }
        if (connection != null) {
            sendUnwatch(connection, id);
        }
        if (!watch.everStarted) {
            watch.started.completeExceptionally(CoordinatorException.of(ErrorCode.UNAVAILABLE, "watch closed before it started"));
        }
    }

    private void sendUnwatch(Connection connection, long watchId) {
        if (connection.isOpen()) {
            connection.send(invoker.nextRequestId(), codec.encode(new ClientMessage.Unwatch(watchId)));
        }
    }

    private void retryLater() {
        synchronized (lock) {
            if (closed || retryTimer != null) {
                return;
            }
            failures++;
            long delay = invoker.backoff().delayMillis(failures - 1);
            retryTimer = invoker.transport().schedule(() -> {
                synchronized (lock) {
                    retryTimer = null;
                }
                kick();
            }, delay);
        }
    }

    /** The client is closing: every watch ends silently. */
    void close() {
        List<ClientWatch> open;
        synchronized (lock) {
            closed = true;
            open = new ArrayList<>(watches);
            watches.clear();
            byId.clear();
            open.forEach(w -> w.state = ClientWatch.State.DONE);
            if (retryTimer != null) {
                retryTimer.cancel(false);
                retryTimer = null;
            }
        }
        for (ClientWatch watch : open) {
            watch.started.completeExceptionally(CoordinatorException.of(ErrorCode.UNAVAILABLE, "client is closed"));
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    private record Registration(ClientWatch watch, long id, long from) {
    }
}

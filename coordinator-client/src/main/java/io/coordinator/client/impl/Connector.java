package io.coordinator.client.impl;

import io.coordinator.client.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Keeps one current connection, to one endpoint at a time, and moves round-robin to the next
 * endpoint when told the current one failed. Many calls may report the same failure at once; each
 * report names the {@link Slot} it used, so only the first one moves on.
 *
 * <p><b>Leaving is not cutting.</b> One call's failure (UNAVAILABLE, a silent member) says nothing
 * certain about the other calls in flight on the same connection: the member may still answer them,
 * and a write without a session whose connection is cut must fail with an unknown outcome. So
 * {@link #moveOn} only retires the connection: new calls get a connection to the next endpoint at
 * once, while the retired one stays open until every request pending on it has its answer or was
 * abandoned at its call's own attempt timeout, and at most {@code drainMillisMax} in any case; then
 * it closes. The listener hears {@link Listener#left} when the client stops using a connection for
 * new calls (moved on, or the connection closed while current) and {@link Listener#closed} when it
 * is gone, which is when what lives on it (watches) must move.
 */
final class Connector {
    private static final Logger log = LoggerFactory.getLogger(Connector.class);

    /** What the connector tells the session layer. Runs on the I/O thread; must not block. */
    interface Listener {
        /** A new current connection is up. */
        void connected(Connection connection);

        /** New calls no longer go to this connection (it may still be draining). Once per connection. */
        void left(Connection connection);

        /** The connection is closed; always after {@link #left} for it. */
        void closed(Connection connection);
    }

    /**
     * One connection attempt and, once it succeeds, the connection. Identity matters. Calls waiting
     * for it are told in the order they arrived (a plain CompletableFuture runs its dependents last
     * first), so requests queued on a connecting slot go out in submission order.
     */
    static final class Slot {
        final long generation;
        final Endpoint endpoint;
        final CompletableFuture<Connection> connection;
        /** The sessions attached to this slot's connection; a new connection starts with none. */
        final SessionAttachments attachments = new SessionAttachments();
        private final List<BiConsumer<Connection, Throwable>> waiters = new ArrayList<>();
        private boolean settled;
        private Connection settledConnection;
        private Throwable settledError;
        /** Guarded by the connector's lock: the listener heard {@link Listener#left} for this slot. */
        private boolean left;

        Slot(long generation, Endpoint endpoint, CompletableFuture<Connection> connection) {
            this.generation = generation;
            this.endpoint = endpoint;
            this.connection = connection;
            connection.whenComplete(this::settle);
        }

        /** Runs {@code action} once the attempt has an outcome; in arrival order. */
        void whenReady(BiConsumer<Connection, Throwable> action) {
            synchronized (this) {
                if (!settled) {
                    waiters.add(action);
                    return;
                }
            }
            action.accept(settledConnection, settledError);
        }

        private void settle(Connection c, Throwable e) {
            List<BiConsumer<Connection, Throwable>> ready;
            synchronized (this) {
                settled = true;
                settledConnection = c;
                settledError = e;
                ready = List.copyOf(waiters);
                waiters.clear();
            }
            ready.forEach(action -> action.accept(c, e));
        }

        @Override
        public String toString() {
            return "Slot[" + generation + " " + endpoint + "]";
        }
    }

    private final Transport transport;
    private final List<Endpoint> endpoints;
    private final Listener listener;
    private final long drainMillisMax;
    /** Guarded by this. Connections left behind and not closed yet, for {@link #close}. */
    private final Set<Connection> retired = new LinkedHashSet<>();
    private int index;
    private long generation;
    private Slot current;
    private boolean closed;

    /** @param drainMillisMax how long a retired connection may stay open for its pending requests at most */
    Connector(Transport transport, List<Endpoint> endpoints, int startIndex, long drainMillisMax, Listener listener) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no endpoints");
        }
        if (drainMillisMax <= 0) {
            throw new IllegalArgumentException("drainMillisMax must be positive, not " + drainMillisMax);
        }
        this.transport = transport;
        this.endpoints = List.copyOf(endpoints);
        this.listener = listener;
        this.drainMillisMax = drainMillisMax;
        this.index = Math.floorMod(startIndex, endpoints.size());
    }

    int endpointCount() {
        return endpoints.size();
    }

    /**
     * The current connection, or a new attempt at the current endpoint. Never connects while holding
     * the lock: a connect may fail at once, and its callbacks must not run under it.
     */
    Slot acquire() {
        Slot slot;
        Connection dead = null;
        synchronized (this) {
            if (closed) {
                return new Slot(-1, endpoints.get(index),
                        CompletableFuture.failedFuture(new ConnectionLostException("client is closed", false)));
            }
            if (current != null) {
                CompletableFuture<Connection> f = current.connection;
                if (!f.isDone() || (!f.isCompletedExceptionally() && f.join().isOpen())) {
                    return current;
                }
                // Dead but not reported yet: a failure of that endpoint.
                dead = advance(current);
            }
            slot = new Slot(++generation, endpoints.get(index), new CompletableFuture<>());
            current = slot;
        }
        if (dead != null) {
            dead.close();
        }
        connect(slot);
        return slot;
    }

    private void connect(Slot slot) {
        Endpoint endpoint = slot.endpoint;
        transport.connect(endpoint).whenComplete((connection, error) -> {
            if (error != null) {
                log.debug("cannot connect to {}: {}", endpoint, error.toString());
                slot.connection.completeExceptionally(
                        new ConnectionLostException("cannot connect to " + endpoint + ": " + error.getMessage(), false));
                return;
            }
            boolean keep;
            synchronized (this) {
                keep = !closed && current == slot;
            }
            if (!keep) {
                connection.close();
                slot.connection.completeExceptionally(new ConnectionLostException("connection superseded", false));
                return;
            }
            connection.onClose(() -> closed(slot, connection));
            slot.connection.complete(connection);
            listener.connected(connection);
        });
    }

    /**
     * The call that used {@code failed} gave up on it: new calls go to the next endpoint, and the
     * connection closes once the calls still in flight on it are done (see the class comment).
     */
    void moveOn(Slot failed) {
        Connection leaving;
        boolean tell;
        synchronized (this) {
            if (current != failed) {
                return;
            }
            leaving = advance(failed);
            tell = leaving != null && markLeft(failed);
            if (leaving != null && !closed) {
                retired.add(leaving);
            }
        }
        if (leaving == null) {
            return;
        }
        int pending = leaving.pendingCount();
        log.info("leaving member {}; its connection closes once the {} request(s) in flight on it are done",
                failed.endpoint, pending);
        if (tell) {
            listener.left(leaving);
        }
        // The bound catches requests nobody abandons (an attach, an unwatch the member never answers).
        transport.schedule(leaving::close, drainMillisMax);
        leaving.closeWhenIdle();
    }

    private void closed(Slot slot, Connection connection) {
        boolean tell;
        synchronized (this) {
            if (current == slot) {
                advance(slot);
            }
            retired.remove(connection);
            tell = markLeft(slot);
        }
        if (tell) {
            listener.left(connection);
        }
        listener.closed(connection);
    }

    /** Must hold the lock. True the first time only. */
    private static boolean markLeft(Slot slot) {
        if (slot.left) {
            return false;
        }
        slot.left = true;
        return true;
    }

    /** Must hold the lock. Returns the slot's connection, if it had one, for the caller to close. */
    private Connection advance(Slot slot) {
        current = null;
        index = (index + 1) % endpoints.size();
        CompletableFuture<Connection> f = slot.connection;
        return f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
    }

    void close() {
        Slot last;
        List<Connection> leaving;
        synchronized (this) {
            closed = true;
            last = current;
            current = null;
            leaving = List.copyOf(retired);
            retired.clear();
        }
        if (last != null) {
            last.connection.thenAccept(Connection::close);
        }
        leaving.forEach(Connection::close);
    }
}

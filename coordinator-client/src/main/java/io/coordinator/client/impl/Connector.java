package io.coordinator.client.impl;

import io.coordinator.client.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Keeps at most one live connection, to one endpoint at a time, and moves round-robin to the next
 * endpoint when told the current one failed. Many calls may report the same failure at once; each
 * report names the {@link Slot} it used, so only the first one moves on.
 */
final class Connector {
    private static final Logger log = LoggerFactory.getLogger(Connector.class);

    /** What the connector tells the session layer. Runs on the I/O thread; must not block. */
    interface Listener {
        void connected(Connection connection);

        void disconnected(Connection connection);
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
    private int index;
    private long generation;
    private Slot current;
    private boolean closed;

    Connector(Transport transport, List<Endpoint> endpoints, int startIndex, Listener listener) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no endpoints");
        }
        this.transport = transport;
        this.endpoints = List.copyOf(endpoints);
        this.listener = listener;
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

    /** The call that used {@code failed} gave up on it: close it and move to the next endpoint. */
    void moveOn(Slot failed) {
        Connection toClose;
        synchronized (this) {
            if (current != failed) {
                return;
            }
            toClose = advance(failed);
        }
        if (toClose != null) {
            log.info("leaving member {}", failed.endpoint);
            toClose.close();
        }
    }

    private void closed(Slot slot, Connection connection) {
        synchronized (this) {
            if (current == slot) {
                advance(slot);
            }
        }
        listener.disconnected(connection);
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
        synchronized (this) {
            closed = true;
            last = current;
            current = null;
        }
        if (last != null) {
            last.connection.thenAccept(Connection::close);
        }
    }
}

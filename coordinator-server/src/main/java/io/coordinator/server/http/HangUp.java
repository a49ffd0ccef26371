package io.coordinator.server.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The moment a client hangs up: it closes the connection, or shuts down its sending side (which, with
 * no more bytes to come, a server cannot tell from a close until it writes). For requests that wait on
 * the client's behalf (a lock, a campaign): nobody may be left waiting in a queue for an answer that
 * no one will read. One per connection; event loop only. Listeners are removed when their request
 * ends, so a keep-alive connection that serves many waits does not collect them.
 */
final class HangUp {
    private static final AttributeKey<HangUp> KEY = AttributeKey.valueOf("coordinator-hang-up");

    private final Set<Runnable> listeners = new LinkedHashSet<>();
    private boolean happened;

    private HangUp() {
    }

    /** The connection's, created on first use. Call on its event loop. */
    static HangUp of(Channel channel) {
        HangUp existing = channel.attr(KEY).get();
        if (existing != null) {
            return existing;
        }
        HangUp created = new HangUp();
        channel.attr(KEY).set(created);
        channel.closeFuture().addListener(f -> channel.eventLoop().execute(created::happen));
        return created;
    }

    boolean happened() {
        return happened;
    }

    /** Runs {@code listener} at the hang-up, or at once if it has happened. */
    void listen(Runnable listener) {
        if (happened) {
            listener.run();
        } else {
            listeners.add(listener);
        }
    }

    void forget(Runnable listener) {
        listeners.remove(listener);
    }

    void happen() {
        if (happened) {
            return;
        }
        happened = true;
        List<Runnable> all = new ArrayList<>(listeners);
        listeners.clear();
        all.forEach(Runnable::run);
    }
}

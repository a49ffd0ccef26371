package io.coordinator.client.impl;

import java.util.TreeSet;

/**
 * A session the client holds. Its sequence counter and the set of sequences still in flight are
 * guarded by the {@link Invoker}'s admission lock: a sequence is drawn only when a call gets a slot,
 * and never more than the de-dup window ahead of the oldest sequence still in flight, so every retry
 * stays inside the window the member remembers.
 */
final class Session {
    final long id;
    final long secret;
    final long ttlMillis;
    long nextSequence = 1;
    final TreeSet<Long> inFlight = new TreeSet<>();
    volatile boolean expired;

    Session(long id, long secret, long ttlMillis) {
        this.id = id;
        this.secret = secret;
        this.ttlMillis = ttlMillis;
    }

    @Override
    public String toString() {
        return "session " + Long.toHexString(id);
    }
}

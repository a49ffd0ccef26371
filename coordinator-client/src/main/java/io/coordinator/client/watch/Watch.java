package io.coordinator.client.watch;

import io.coordinator.protocol.message.WatchKind;

/**
 * A watch started by {@code Coordinator.watch}. It lives until {@link #close()}, until a one-shot
 * kind fired, until it fails (the listener hears {@code onError}), or until the client closes. It
 * survives moves to other members: the client starts it again there from the revision after the
 * last one it received, so the listener misses nothing and sees nothing twice.
 */
public interface Watch extends AutoCloseable {

    String path();

    WatchKind kind();

    /** The first revision the watch covers: as asked, or the member's next revision for "from now". */
    long fromRevision();

    /**
     * The last revision received for this watch, 0 before the first. It is updated before any answer
     * of a later revision on the same connection completes, so after a write that the watch matches
     * returns, this is at least the write's revision (the listener may still be about to run).
     */
    long lastRevision();

    /** False once closed, fired (one-shot), failed, or the client closed. */
    boolean isActive();

    /** Stops the watch (the member is told, best effort). Idempotent; the listener hears nothing more. */
    @Override
    void close();
}

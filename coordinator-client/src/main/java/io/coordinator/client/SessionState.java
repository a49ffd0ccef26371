package io.coordinator.client;

/**
 * The client's view of its connection and session, after Curator's connection states.
 *
 * <pre>
 *   (connect)                -> CONNECTED     the first session is open
 *   CONNECTED | RECONNECTED  -> SUSPENDED     the connection dropped; the session may well be alive
 *   SUSPENDED                -> RECONNECTED   the same session was attached and renewed on a new
 *                                             connection (another member or the same) within its TTL
 *   any                      -> LOST          the session is gone, or must be treated as gone
 *   LOST                     -> CONNECTED     a fresh session was opened (by the next write needing one)
 * </pre>
 *
 * One difference from Curator, on purpose: Curator reports RECONNECTED after LOST as well. Here
 * RECONNECTED always means "the same session, still owning its ephemerals and locks", and CONNECTED
 * always means "a new session that owns nothing yet", so a listener can tell them apart by state
 * alone. Without a session ({@code ClientConfig.openSession(false)}) the states follow the
 * connection: CONNECTED, SUSPENDED, RECONNECTED, and never LOST.
 */
public enum SessionState {
    /** A new session is open (the first one, or a fresh one after LOST); it owns nothing yet. */
    CONNECTED,
    /**
     * The connection was lost; the session may still be alive on the cluster. The client is moving it
     * to another member. Whoever guards work with the session (a lock holder) should pause: it cannot
     * know whether the session will come back before it expires.
     */
    SUSPENDED,
    /** The same session is back on a connection: attached there and renewed. What it owned, it still owns. */
    RECONNECTED,
    /**
     * The session is gone: the cluster said it expired or was closed, or no keep-alive succeeded for a
     * whole TTL (the client's own verdict, reached no later than the cluster's could be). Its
     * ephemerals are gone or about to go, its locks are lost; the client never uses it again.
     */
    LOST
}

package io.coordinator.client;

/** The client's view of its connection and session, as in Curator. */
public enum SessionState {
    /** The first session was opened (or, without a session, the first connection was made). */
    CONNECTED,
    /** The connection was lost; the session may still be alive on the cluster. */
    SUSPENDED,
    /** Connected again with a live session: the old one confirmed, or a fresh one after LOST. */
    RECONNECTED,
    /** The cluster reported the session expired: its ephemerals are gone. */
    LOST
}

package io.coordinator.protocol.message;

public enum Consistency {
    /** Quorum-confirmed: reflects every write acknowledged before the read started. */
    LINEARIZABLE,
    /** Served by the member from its local state: may lag, but never behind the caller's minRevision. */
    SERIALIZABLE
}

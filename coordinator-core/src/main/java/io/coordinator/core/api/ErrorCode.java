package io.coordinator.core.api;

/**
 * Every failure a client can see. The code travels on the wire by name, so names are part of the
 * protocol: add, never rename.
 */
public enum ErrorCode {
    /** The node (or, for create, its parent) does not exist. */
    NO_NODE(false),
    NODE_EXISTS(false),
    /** An expected version did not match. */
    BAD_VERSION(false),
    /** Delete of a node that has children, without asking for the subtree. */
    NOT_EMPTY(false),
    INVALID_PATH(false),
    /** Data, path, frame or batch over its configured bound. */
    TOO_LARGE(false),
    NO_CHILDREN_FOR_EPHEMERALS(false),
    /** The session is unknown, closed or expired; its ephemerals are gone. */
    SESSION_EXPIRED(false),
    /** A watch asked for a revision older than the member's event history. */
    COMPACTED(false),
    /** Nothing was applied; retrying (elsewhere) is safe. */
    UNAVAILABLE(true),
    /** The outcome is unknown: the request may or may not have been applied. */
    TIMEOUT(false),
    /** The request could not be decoded or violates the protocol. */
    MALFORMED(false),
    /** Wrong session secret or missing permission. */
    UNAUTHORIZED(false),
    /** A limit on pending work was reached; nothing was applied, retry later. */
    OVERLOADED(true),
    /** A well-formed request with an argument outside its allowed range. */
    BAD_ARGUMENTS(false);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    /** True when nothing was applied and the same request may simply be sent again. */
    public boolean retryable() {
        return retryable;
    }
}

package io.coordinator.client.impl;

/**
 * The connection went away before the answer came.
 *
 * @see #requestSent()
 */
final class ConnectionLostException extends RuntimeException {
    private final boolean requestSent;

    ConnectionLostException(String message, boolean requestSent) {
        super(message, null, false, false);
        this.requestSent = requestSent;
    }

    /**
     * False only when the request's bytes certainly never fully left the client (a failed write or a
     * closed channel): the member cannot have applied it. True means the outcome is unknown.
     */
    boolean requestSent() {
        return requestSent;
    }
}

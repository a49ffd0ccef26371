package io.coordinator.server.consensus.transport;

import java.io.IOException;

/** The peer received the request but its handler failed; the message says how. */
public final class RemoteFailureException extends IOException {
    private static final long serialVersionUID = 1L;

    public RemoteFailureException(String message) {
        super(message);
    }
}

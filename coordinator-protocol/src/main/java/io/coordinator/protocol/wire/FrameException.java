package io.coordinator.protocol.wire;

import io.coordinator.core.api.ErrorCode;

/** The byte stream cannot be read as frames any more; the connection must be closed. */
public final class FrameException extends RuntimeException {
    private final ErrorCode code;

    public FrameException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}

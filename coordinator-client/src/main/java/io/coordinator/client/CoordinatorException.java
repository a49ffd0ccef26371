package io.coordinator.client;

import io.coordinator.core.api.ErrorCode;

import java.util.Objects;

/**
 * A call failed with a typed {@link ErrorCode}. Unchecked; blocking calls throw it directly and
 * async calls complete their future with it. The common codes have subclasses so that they can be
 * caught by type; {@link #of} picks the right one.
 *
 * <p>{@link ErrorCode#TIMEOUT} means the outcome is unknown: the write may or may not have been applied.
 */
public class CoordinatorException extends RuntimeException {
    private final ErrorCode code;

    public CoordinatorException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public CoordinatorException(ErrorCode code, String message, Throwable cause) {
        super(code + ": " + (message == null ? "" : message), cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public static CoordinatorException of(ErrorCode code, String message) {
        return of(code, message, null);
    }

    public static CoordinatorException of(ErrorCode code, String message, Throwable cause) {
        return switch (code) {
            case NO_NODE -> new NoNodeException(message, cause);
            case NODE_EXISTS -> new NodeExistsException(message, cause);
            case BAD_VERSION -> new BadVersionException(message, cause);
            case NOT_EMPTY -> new NotEmptyException(message, cause);
            case SESSION_EXPIRED -> new SessionExpiredException(message, cause);
            default -> new CoordinatorException(code, message, cause);
        };
    }

    public ErrorCode code() {
        return code;
    }

    /** The message as the member sent it, without the code prefix. */
    public String detail() {
        String message = getMessage();
        String prefix = code + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    /** True when the write may or may not have been applied. */
    public boolean outcomeUnknown() {
        return code == ErrorCode.TIMEOUT;
    }

    public static final class NoNodeException extends CoordinatorException {
        public NoNodeException(String message, Throwable cause) {
            super(ErrorCode.NO_NODE, message, cause);
        }
    }

    public static final class NodeExistsException extends CoordinatorException {
        public NodeExistsException(String message, Throwable cause) {
            super(ErrorCode.NODE_EXISTS, message, cause);
        }
    }

    public static final class BadVersionException extends CoordinatorException {
        public BadVersionException(String message, Throwable cause) {
            super(ErrorCode.BAD_VERSION, message, cause);
        }
    }

    public static final class NotEmptyException extends CoordinatorException {
        public NotEmptyException(String message, Throwable cause) {
            super(ErrorCode.NOT_EMPTY, message, cause);
        }
    }

    public static final class SessionExpiredException extends CoordinatorException {
        public SessionExpiredException(String message, Throwable cause) {
            super(ErrorCode.SESSION_EXPIRED, message, cause);
        }
    }
}

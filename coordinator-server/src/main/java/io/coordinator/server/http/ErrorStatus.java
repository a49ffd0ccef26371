package io.coordinator.server.http;

import io.coordinator.core.api.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Which HTTP status carries which error code. The JSON body always names the code itself. */
final class ErrorStatus {
    private ErrorStatus() {
    }

    /** Exhaustive on purpose: a new error code does not compile until it has a status. */
    static HttpResponseStatus of(ErrorCode code) {
        return switch (code) {
            case NO_NODE -> HttpResponseStatus.NOT_FOUND;
            case NODE_EXISTS, BAD_VERSION, NOT_EMPTY, NO_CHILDREN_FOR_EPHEMERALS -> HttpResponseStatus.CONFLICT;
            case INVALID_PATH, MALFORMED, BAD_ARGUMENTS -> HttpResponseStatus.BAD_REQUEST;
            case TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            case SESSION_EXPIRED, COMPACTED -> HttpResponseStatus.GONE;
            case UNAUTHORIZED -> HttpResponseStatus.FORBIDDEN;
            case UNAVAILABLE, OVERLOADED -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case TIMEOUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
        };
    }
}

package io.coordinator.client.recipes;

import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.ErrorCode;

/**
 * The grant (or the place in the queue for one) is gone: the session owning its node was lost, or
 * the node was deleted. Code {@link ErrorCode#SESSION_EXPIRED}. Whatever the holder was doing under
 * the grant must stop; fenced writes already fail with {@link FencingException}. Acquire again to
 * queue with the client's current (fresh) session.
 */
public final class LockLostException extends CoordinatorException {
    private final String nodePath;

    public LockLostException(String nodePath, String reason) {
        super(ErrorCode.SESSION_EXPIRED, nodePath + ": " + reason);
        this.nodePath = nodePath;
    }

    /** The node that stood for the grant or the place in the queue. */
    public String nodePath() {
        return nodePath;
    }
}

package io.coordinator.client.recipes;

import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.ErrorCode;

/**
 * A write guarded by a fencing token was refused because the token is stale: the lock, permit or
 * leadership it stood for has ended (released, session expired, node deleted), so a later holder
 * may exist. Nothing of the guarded write was applied. Its code is {@link ErrorCode#BAD_VERSION}:
 * the guard is a failed compare, like a write with a wrong expected version.
 *
 * <p>Thrown by {@link Fence} for writes to Coordinator, and by {@link FencedResource} for a resource
 * outside it that saw a higher token.
 */
public final class FencingException extends CoordinatorException {
    private final String guard;
    private final long token;
    private final long currentToken;

    /**
     * @param guard        what the token was checked against: the holder's node path, or a resource name
     * @param token        the stale token the write carried
     * @param currentToken what the guard holds now: the node's createRevision, or the highest token
     *                     the resource has seen; 0 when the node is gone
     */
    public FencingException(String guard, long token, long currentToken) {
        super(ErrorCode.BAD_VERSION, "fencing token " + token + " is stale for " + guard
                + (currentToken == 0 ? " (its holder node is gone)" : " (current token " + currentToken + ")"));
        this.guard = guard;
        this.token = token;
        this.currentToken = currentToken;
    }

    /** The holder's node path (for writes to Coordinator) or the resource's name. */
    public String guard() {
        return guard;
    }

    /** The stale token the refused write carried. */
    public long token() {
        return token;
    }

    /** The guard's current token: the node's createRevision or the resource's highest; 0 when the node is gone. */
    public long currentToken() {
        return currentToken;
    }
}

package io.coordinator.client.watch;

import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.ErrorCode;

/** COMPACTED: the member no longer has the revisions a watch needs; it still has those from {@link #oldestRevision()} on. */
public final class WatchCompactedException extends CoordinatorException {
    private final long oldestRevision;

    public WatchCompactedException(String message, long oldestRevision) {
        this(message, oldestRevision, null);
    }

    public WatchCompactedException(String message, long oldestRevision, Throwable cause) {
        super(ErrorCode.COMPACTED, message, cause);
        this.oldestRevision = oldestRevision;
    }

    /** The oldest revision the member still has: re-read the state, then watch from the read's revision + 1. */
    public long oldestRevision() {
        return oldestRevision;
    }
}

package io.coordinator.core.session;

import io.coordinator.core.LogTime;

/** A lease: alive until closed or until a Tick at or after its deadline. */
public final class Session {

    private final long id;
    private final long secret;
    private final long ttlMillis;
    private long deadlineMillis;
    private final DedupWindow dedup = new DedupWindow();

    public Session(long id, long secret, long ttlMillis, long deadlineMillis) {
        if (id <= 0 || ttlMillis <= 0) {
            throw new IllegalArgumentException("session " + id + " with ttl " + ttlMillis);
        }
        this.id = id;
        this.secret = secret;
        this.ttlMillis = ttlMillis;
        this.deadlineMillis = deadlineMillis;
    }

    public long id() {
        return id;
    }

    public long secret() {
        return secret;
    }

    public long ttlMillis() {
        return ttlMillis;
    }

    public long deadlineMillis() {
        return deadlineMillis;
    }

    /** Restarts the lease as of {@code nowMillis}, the log time of the entry that renews it. */
    void renew(long nowMillis) {
        deadlineMillis = LogTime.deadline(nowMillis, ttlMillis);
    }

    public DedupWindow dedup() {
        return dedup;
    }
}

package io.coordinator.client;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How a {@link Coordinator} connects, retries and keeps its session. Build one with
 * {@link #builder()}; every bound has a default.
 *
 * @param endpoints             the members to try, round-robin
 * @param sessionTtlMillis      the lease asked for at connect (the member may clamp it to its bounds)
 * @param requestTimeoutMillis  overall deadline of one call, including waiting for a slot and retries
 * @param connectTimeoutMillis  TCP connect bound for one endpoint
 * @param attemptTimeoutMillis  a member silent this long on one attempt is given up on: the connection
 *                              is closed and the call retried elsewhere when that is safe
 * @param pendingRequestsMax    calls in flight at once (at most 1024, the member's de-dup window per
 *                              session); further calls wait in order for a slot until their deadline,
 *                              then fail with OVERLOADED
 * @param openSession           open a session at connect, keep it alive, and stamp every write with
 *                              (sessionId, sequence) so that retried writes are applied at most once
 * @param retryAttemptsMax      attempts per call at most, whatever time is left
 * @param retryBackoffMillis    first pause before retrying on the next member; doubles with every full
 *                              round over the endpoints, and each pause is drawn at random from the
 *                              upper half of that ceiling (jitter). The same policy paces calls,
 *                              session keep-alives (they are calls) and watch resumption
 * @param retryBackoffMillisMax the longest pause between two attempts
 * @param frameBytesMax         largest frame accepted from or sent to a member
 * @param shuffleEndpoints      start at a random endpoint (spreads many clients over the members);
 *                              false starts at the first and keeps the given order
 * @param callbackExecutor      where the futures of {@link AsyncCoordinator} complete and listeners run;
 *                              null for the client's own small pool (two daemon threads)
 */
public record ClientConfig(List<Endpoint> endpoints, long sessionTtlMillis, long requestTimeoutMillis,
                           long connectTimeoutMillis, long attemptTimeoutMillis, int pendingRequestsMax,
                           boolean openSession, int retryAttemptsMax, long retryBackoffMillis,
                           long retryBackoffMillisMax, int frameBytesMax, boolean shuffleEndpoints,
                           Executor callbackExecutor) {

    /** The member's de-dup window per session: a retry older than this many writes is not recognised. */
    public static final int PENDING_REQUESTS_MAX_LIMIT = 1024;
    /** Matches the member's default {@code limits.frame-bytes-max}: 2 MiB plus a margin for headers. */
    public static final int FRAME_BYTES_MAX_DEFAULT = 2 * 1024 * 1024 + 64 * 1024;

    public ClientConfig {
        endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: at least one is needed");
        }
        requirePositive(sessionTtlMillis, "sessionTtlMillis");
        requirePositive(requestTimeoutMillis, "requestTimeoutMillis");
        requirePositive(connectTimeoutMillis, "connectTimeoutMillis");
        requirePositive(attemptTimeoutMillis, "attemptTimeoutMillis");
        requirePositive(retryAttemptsMax, "retryAttemptsMax");
        requirePositive(retryBackoffMillis, "retryBackoffMillis");
        requirePositive(frameBytesMax, "frameBytesMax");
        if (pendingRequestsMax <= 0 || pendingRequestsMax > PENDING_REQUESTS_MAX_LIMIT) {
            throw new IllegalArgumentException("pendingRequestsMax must be in [1, " + PENDING_REQUESTS_MAX_LIMIT + "]");
        }
        if (retryBackoffMillisMax < retryBackoffMillis) {
            throw new IllegalArgumentException("retryBackoffMillisMax must be at least retryBackoffMillis");
        }
    }

    private static void requirePositive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults for the given {@code "h:p,h:p"} endpoints. */
    public static ClientConfig of(String endpoints) {
        return builder().endpoints(endpoints).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.endpoints = endpoints;
        b.sessionTtlMillis = sessionTtlMillis;
        b.requestTimeoutMillis = requestTimeoutMillis;
        b.connectTimeoutMillis = connectTimeoutMillis;
        b.attemptTimeoutMillis = attemptTimeoutMillis;
        b.pendingRequestsMax = pendingRequestsMax;
        b.openSession = openSession;
        b.retryAttemptsMax = retryAttemptsMax;
        b.retryBackoffMillis = retryBackoffMillis;
        b.retryBackoffMillisMax = retryBackoffMillisMax;
        b.frameBytesMax = frameBytesMax;
        b.shuffleEndpoints = shuffleEndpoints;
        b.callbackExecutor = callbackExecutor;
        return b;
    }

    public static final class Builder {
        private List<Endpoint> endpoints = List.of();
        private long sessionTtlMillis = 10_000;
        private long requestTimeoutMillis = 10_000;
        private long connectTimeoutMillis = 2_000;
        private long attemptTimeoutMillis = 5_000;
        private int pendingRequestsMax = PENDING_REQUESTS_MAX_LIMIT;
        private boolean openSession = true;
        private int retryAttemptsMax = 32;
        private long retryBackoffMillis = 20;
        private long retryBackoffMillisMax = 1_000;
        private int frameBytesMax = FRAME_BYTES_MAX_DEFAULT;
        private boolean shuffleEndpoints = true;
        private Executor callbackExecutor;

        private Builder() {
        }

        public Builder endpoints(String endpoints) {
            this.endpoints = Endpoint.parseList(endpoints);
            return this;
        }

        public Builder endpoints(List<Endpoint> endpoints) {
            this.endpoints = List.copyOf(endpoints);
            return this;
        }

        public Builder sessionTtlMillis(long value) {
            this.sessionTtlMillis = value;
            return this;
        }

        public Builder requestTimeoutMillis(long value) {
            this.requestTimeoutMillis = value;
            return this;
        }

        public Builder connectTimeoutMillis(long value) {
            this.connectTimeoutMillis = value;
            return this;
        }

        public Builder attemptTimeoutMillis(long value) {
            this.attemptTimeoutMillis = value;
            return this;
        }

        public Builder pendingRequestsMax(int value) {
            this.pendingRequestsMax = value;
            return this;
        }

        public Builder openSession(boolean value) {
            this.openSession = value;
            return this;
        }

        public Builder retryAttemptsMax(int value) {
            this.retryAttemptsMax = value;
            return this;
        }

        public Builder retryBackoffMillis(long value) {
            this.retryBackoffMillis = value;
            return this;
        }

        public Builder retryBackoffMillisMax(long value) {
            this.retryBackoffMillisMax = value;
            return this;
        }

        public Builder frameBytesMax(int value) {
            this.frameBytesMax = value;
            return this;
        }

        public Builder shuffleEndpoints(boolean value) {
            this.shuffleEndpoints = value;
            return this;
        }

        public Builder callbackExecutor(Executor value) {
            this.callbackExecutor = value;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(endpoints, sessionTtlMillis, requestTimeoutMillis, connectTimeoutMillis,
                    attemptTimeoutMillis, pendingRequestsMax, openSession, retryAttemptsMax, retryBackoffMillis,
                    retryBackoffMillisMax, frameBytesMax, shuffleEndpoints, callbackExecutor);
        }
    }
}

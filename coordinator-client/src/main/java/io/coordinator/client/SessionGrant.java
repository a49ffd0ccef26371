package io.coordinator.client;

/**
 * A session granted through {@link Coordinator#grantSession}: a lease the caller keeps alive and
 * closes itself, or hands (id and secret) to another process or script. Whoever holds the secret can
 * attach the session to a connection and use it: keep the secret as you would a password.
 */
public record SessionGrant(long sessionId, long secret, long ttlMillis) {
    @Override
    public String toString() {
        return "SessionGrant[sessionId=" + sessionId + ", ttlMillis=" + ttlMillis + "]";
    }
}

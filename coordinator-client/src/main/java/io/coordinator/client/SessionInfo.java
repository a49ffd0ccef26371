package io.coordinator.client;

/** The session a client currently holds: the owner of its ephemerals. */
public record SessionInfo(long sessionId, long ttlMillis) {
}

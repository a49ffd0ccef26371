package io.coordinator.client;

import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Op;

/** Short names for the ops of a transaction: {@code txn().then(Ops.set("/a", v, 3))}. */
public final class Ops {
    private Ops() {
    }

    public static Op create(String path, byte[] data, CreateMode mode) {
        return new Op.Create(path, data, mode, 0);
    }

    public static Op create(String path, byte[] data, CreateMode mode, long ttlMillis) {
        return new Op.Create(path, data, mode, ttlMillis);
    }

    /** @param expectedVersion the node's current version, or -1 for any */
    public static Op set(String path, byte[] data, int expectedVersion) {
        return new Op.SetData(path, data, expectedVersion);
    }

    /** @param expectedVersion the node's current version, or -1 for any */
    public static Op delete(String path, int expectedVersion) {
        return new Op.Delete(path, expectedVersion, false);
    }

    public static Op deleteRecursive(String path) {
        return new Op.Delete(path, -1, true);
    }

    public static Op get(String path) {
        return new Op.Get(path);
    }

    public static Op exists(String path) {
        return new Op.Exists(path);
    }

    public static Op children(String path, boolean withStats) {
        return new Op.Children(path, withStats);
    }
}

package io.coordinator.core.api;

import java.util.Objects;

/**
 * One operation on the tree: standalone or as a step of a {@link Command.Txn}. Reads are ops too, so
 * that a transaction can read what it wrote at one revision.
 */
public sealed interface Op {

    String path();

    /** True for operations that change the tree and so must go through the log. */
    boolean isWrite();

    /**
     * @param ttlMillis only for the {@code *_WITH_TTL} modes, otherwise 0
     */
    record Create(String path, byte[] data, CreateMode mode, long ttlMillis) implements Op {
        public Create {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(mode, "mode");
            data = data == null ? new byte[0] : data;
        }

        public boolean isWrite() {
            return true;
        }
    }

    /** @param expectedVersion the node's current version, or -1 for any */
    record SetData(String path, byte[] data, int expectedVersion) implements Op {
        public SetData {
            Objects.requireNonNull(path, "path");
            data = data == null ? new byte[0] : data;
        }

        public boolean isWrite() {
            return true;
        }
    }

    /**
     * @param expectedVersion the node's current version, or -1 for any
     * @param recursive       delete the whole subtree instead of refusing a node with children
     */
    record Delete(String path, int expectedVersion, boolean recursive) implements Op {
        public Delete {
            Objects.requireNonNull(path, "path");
        }

        public boolean isWrite() {
            return true;
        }
    }

    record Get(String path) implements Op {
        public Get {
            Objects.requireNonNull(path, "path");
        }

        public boolean isWrite() {
            return false;
        }
    }

    record Exists(String path) implements Op {
        public Exists {
            Objects.requireNonNull(path, "path");
        }

        public boolean isWrite() {
            return false;
        }
    }

    record Children(String path, boolean withStats) implements Op {
        public Children {
            Objects.requireNonNull(path, "path");
        }

        public boolean isWrite() {
            return false;
        }
    }
}

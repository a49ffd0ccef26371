package io.coordinator.core.api;

import java.util.Objects;

/**
 * A change to the tree, emitted by the state machine with the revision that made it. Members turn
 * these into watch notifications; the core only reports them.
 *
 * @param stat the node's stat after the change (before it, for DELETED)
 * @param data the node's data after the change (empty for DELETED and CHILDREN_CHANGED)
 */
public record WatchEvent(Type type, String path, long revision, Stat stat, byte[] data) {

    public enum Type { CREATED, DELETED, DATA_CHANGED, CHILDREN_CHANGED }

    public WatchEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        data = data == null ? new byte[0] : data;
    }
}

package io.coordinator.core.tree;

import io.coordinator.core.api.CreateMode;

/** How a node's life ends, which is all the tree keeps of its {@link CreateMode}. */
public enum NodeKind {
    PERSISTENT(0),
    /** Goes with its owning session. */
    EPHEMERAL(1),
    /** Goes with the deletion of its last child. */
    CONTAINER(2),
    /** Goes when a Tick finds it childless and unmodified for its TTL. */
    TTL(3);

    /** Stable number for snapshots. */
    public final int code;

    NodeKind(int code) {
        this.code = code;
    }

    public static NodeKind of(CreateMode mode) {
        if (mode.ephemeral()) {
            return EPHEMERAL;
        }
        if (mode.hasTtl()) {
            return TTL;
        }
        return mode == CreateMode.CONTAINER ? CONTAINER : PERSISTENT;
    }

    public static NodeKind fromCode(int code) {
        for (NodeKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown node kind " + code);
    }
}

package io.coordinator.core.api;

/** The kinds of node a create can make. */
public enum CreateMode {
    PERSISTENT(false, false),
    PERSISTENT_SEQUENTIAL(false, true),
    EPHEMERAL(true, false),
    EPHEMERAL_SEQUENTIAL(true, true),
    /** Deleted by the service once its last child goes (never while it has never had one). */
    CONTAINER(false, false),
    /** Persistent, deleted once it is childless and unmodified for longer than its TTL. */
    PERSISTENT_WITH_TTL(false, false),
    PERSISTENT_SEQUENTIAL_WITH_TTL(false, true);

    private final boolean ephemeral;
    private final boolean sequential;

    CreateMode(boolean ephemeral, boolean sequential) {
        this.ephemeral = ephemeral;
        this.sequential = sequential;
    }

    public boolean ephemeral() {
        return ephemeral;
    }

    public boolean sequential() {
        return sequential;
    }

    public boolean hasTtl() {
        return this == PERSISTENT_WITH_TTL || this == PERSISTENT_SEQUENTIAL_WITH_TTL;
    }
}

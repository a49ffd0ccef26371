package io.coordinator.core.snapshot;

import io.coordinator.core.session.SessionTable;
import io.coordinator.core.tree.DataTree;

/** Everything a snapshot holds: the whole replicated state. */
public record SnapshotState(long revision, long lastAppliedIndex, SessionTable sessions, DataTree tree) {
}

package io.coordinator.core.ops;

import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.core.tree.Node;

import java.util.ArrayList;
import java.util.List;

/**
 * What one command is doing to the tree: the revision and log time it stamps on every node it
 * touches, and the events it has emitted so far (dropped if the command fails).
 */
public final class Change {

    private final long revision;
    private final long timeMillis;
    private final List<WatchEvent> events = new ArrayList<>();

    /**
     * @param revision the revision the command will have if it changes anything
     */
    public Change(long revision, long timeMillis) {
        this.revision = revision;
        this.timeMillis = timeMillis;
    }

    public long revision() {
        return revision;
    }

    public long timeMillis() {
        return timeMillis;
    }

    public List<WatchEvent> events() {
        return events;
    }

    void created(Node node) {
        events.add(new WatchEvent(WatchEvent.Type.CREATED, node.path(), revision, node.stat(), node.dataCopy()));
    }

    void dataChanged(Node node) {
        events.add(new WatchEvent(WatchEvent.Type.DATA_CHANGED, node.path(), revision, node.stat(),
                node.dataCopy()));
    }

    void deleted(String path, Stat before) {
        events.add(new WatchEvent(WatchEvent.Type.DELETED, path, revision, before, null));
    }

    void childrenChanged(Node parent) {
        events.add(new WatchEvent(WatchEvent.Type.CHILDREN_CHANGED, parent.path(), revision, parent.stat(), null));
    }
}

package io.coordinator.protocol.message;

import io.coordinator.core.api.WatchEvent;

/**
 * What a watch reacts to. The one-shot kinds follow ZooKeeper and end after their first
 * notification; the persistent kinds stay until the client removes them or its connection closes.
 * Names travel on the wire: add, never rename.
 */
public enum WatchKind {
    /** One-shot: DATA_CHANGED or DELETED of the path (ZooKeeper's getData watch). */
    DATA(true, false),
    /** One-shot: CREATED, DATA_CHANGED or DELETED of the path (ZooKeeper's exists watch). */
    EXISTS(true, false),
    /** One-shot: CHILDREN_CHANGED or DELETED of the path (ZooKeeper's getChildren watch). */
    CHILDREN(true, false),
    /** Every event whose path is exactly the watched path. */
    PERSISTENT(false, false),
    /**
     * Every event whose path is the watched path or lies below it, CHILDREN_CHANGED included
     * (unlike ZooKeeper's recursive watch, which leaves them out; here they carry the parent's new
     * cversion and numChildren, which a cache of the subtree can use).
     */
    PERSISTENT_RECURSIVE(false, true);

    private final boolean oneShot;
    private final boolean recursive;

    WatchKind(boolean oneShot, boolean recursive) {
        this.oneShot = oneShot;
        this.recursive = recursive;
    }

    /** Ends after its first notification. */
    public boolean oneShot() {
        return oneShot;
    }

    /** Matches the whole subtree under the path. */
    public boolean recursive() {
        return recursive;
    }

    /** True when a watch of this kind on {@code watchedPath} wants {@code event}. */
    public boolean matches(String watchedPath, WatchEvent event) {
        String path = event.path();
        if (recursive) {
            return isSelfOrDescendant(watchedPath, path);
        }
        if (!path.equals(watchedPath)) {
            return false;
        }
        return switch (this) {
            case DATA -> event.type() == WatchEvent.Type.DATA_CHANGED || event.type() == WatchEvent.Type.DELETED;
            case EXISTS -> event.type() != WatchEvent.Type.CHILDREN_CHANGED;
            case CHILDREN -> event.type() == WatchEvent.Type.CHILDREN_CHANGED || event.type() == WatchEvent.Type.DELETED;
            case PERSISTENT, PERSISTENT_RECURSIVE -> true;
        };
    }

    /** {@code path} is {@code root} or lies below it. */
    public static boolean isSelfOrDescendant(String root, String path) {
        if (root.equals("/")) {
            return path.startsWith("/");
        }
        return path.startsWith(root) && (path.length() == root.length() || path.charAt(root.length()) == '/');
    }
}

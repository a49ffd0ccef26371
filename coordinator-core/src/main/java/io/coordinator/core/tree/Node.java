package io.coordinator.core.tree;

import io.coordinator.core.api.Stat;

import java.util.Collections;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * One node of the tree. Mutable, but only {@link DataTree} changes it, so that every change is
 * recorded for rollback.
 */
public final class Node {

    private final String path;
    private final String name;
    private final NodeKind kind;
    private final long ttlMillis;
    private final long ephemeralOwner;
    private final long createRevision;
    private final long ctimeMillis;
    private final TreeSet<String> children = new TreeSet<>();

    byte[] data;
    long modRevision;
    int version;
    int cversion;
    long mtimeMillis;
    /** The suffix the next sequential child gets; only ever increases while the node lives. */
    long nextSequence;

    /**
     * @param data owned by the node from now on: callers pass a copy
     */
    public Node(String path, NodeKind kind, long ttlMillis, long ephemeralOwner, byte[] data,
                long createRevision, long ctimeMillis) {
        this.path = path;
        this.name = path.equals(Paths.ROOT) ? "" : Paths.name(path);
        this.kind = kind;
        this.ttlMillis = ttlMillis;
        this.ephemeralOwner = ephemeralOwner;
        this.data = data;
        this.createRevision = createRevision;
        this.modRevision = createRevision;
        this.ctimeMillis = ctimeMillis;
        this.mtimeMillis = ctimeMillis;
        if ((kind == NodeKind.EPHEMERAL) != (ephemeralOwner != 0)) {
            throw new IllegalArgumentException("ephemeral owner " + ephemeralOwner + " for a " + kind + " node");
        }
        if ((kind == NodeKind.TTL) != (ttlMillis > 0)) {
            throw new IllegalArgumentException("ttl " + ttlMillis + " for a " + kind + " node");
        }
    }

    /** Restores every field, for snapshots. */
    public static Node restore(String path, NodeKind kind, long ttlMillis, long ephemeralOwner, byte[] data,
                               long createRevision, long modRevision, int version, int cversion,
                               long ctimeMillis, long mtimeMillis, long nextSequence) {
        Node node = new Node(path, kind, ttlMillis, ephemeralOwner, data, createRevision, ctimeMillis);
        node.modRevision = modRevision;
        node.version = version;
        node.cversion = cversion;
        node.mtimeMillis = mtimeMillis;
        node.nextSequence = nextSequence;
        return node;
    }

    public String path() {
        return path;
    }

    public String name() {
        return name;
    }

    public NodeKind kind() {
        return kind;
    }

    public long ttlMillis() {
        return ttlMillis;
    }

    public long ephemeralOwner() {
        return ephemeralOwner;
    }

    public long createRevision() {
        return createRevision;
    }

    public long modRevision() {
        return modRevision;
    }

    public int version() {
        return version;
    }

    public int cversion() {
        return cversion;
    }

    public long ctimeMillis() {
        return ctimeMillis;
    }

    public long mtimeMillis() {
        return mtimeMillis;
    }

    public long nextSequence() {
        return nextSequence;
    }

    /** The node's own bytes: never hand them out of the core without copying. */
    public byte[] dataUnsafe() {
        return data;
    }

    public byte[] dataCopy() {
        return data.clone();
    }

    public NavigableSet<String> children() {
        return Collections.unmodifiableNavigableSet(children);
    }

    TreeSet<String> mutableChildren() {
        return children;
    }

    public Stat stat() {
        return new Stat(createRevision, modRevision, version, cversion, ephemeralOwner, data.length,
                children.size(), ctimeMillis, mtimeMillis);
    }
}

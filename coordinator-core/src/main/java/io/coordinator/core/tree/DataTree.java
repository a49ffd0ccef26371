package io.coordinator.core.tree;

import io.coordinator.core.InvariantViolation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tree and its indexes, changed only through primitives that record their inverse. Callers
 * either {@link #commit()} or {@link #rollback()} what they changed; nothing else changes a node.
 *
 * <p>Lookups go through a hash map (never iterated); everything iterated is ordered.
 */
public final class DataTree {

    private final Map<String, Node> nodes = new HashMap<>();
    private final TreeMap<Long, TreeSet<String>> ephemeralsByOwner = new TreeMap<>();
    private final TreeSet<String> ttlPaths = new TreeSet<>();
    private final UndoLog undo = new UndoLog();

    public DataTree() {
        this(new Node(Paths.ROOT, NodeKind.PERSISTENT, 0, 0, new byte[0], 0, 0));
    }

    private DataTree(Node root) {
        if (!root.path().equals(Paths.ROOT) || root.kind() != NodeKind.PERSISTENT || !root.children().isEmpty()) {
            throw new InvariantViolation("not a root: " + root.path());
        }
        nodes.put(Paths.ROOT, root);
    }

    /** A tree with a root read from a snapshot; the other nodes follow through {@link #restore}. */
    public static DataTree restoring(Node root) {
        return new DataTree(root);
    }

    /** @return the node, or null */
    public Node find(String path) {
        return nodes.get(path);
    }

    public Node root() {
        return nodes.get(Paths.ROOT);
    }

    /** Number of nodes, the root included. */
    public int size() {
        return nodes.size();
    }

    /** Paths of the session's ephemerals, sorted. */
    public List<String> ephemeralsOf(long owner) {
        TreeSet<String> paths = ephemeralsByOwner.get(owner);
        return paths == null ? List.of() : List.copyOf(paths);
    }

    /** Paths of all TTL nodes, sorted. */
    public NavigableSet<String> ttlPaths() {
        return Collections.unmodifiableNavigableSet(ttlPaths);
    }

    /** Every node, each after its parent and siblings in name order: the snapshot order. */
    public List<Node> preOrder() {
        List<Node> out = new ArrayList<>(nodes.size());
        ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(root());
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            out.add(node);
            for (String name : node.mutableChildren().descendingSet()) {
                stack.push(childOf(node, name));
            }
        }
        return out;
    }

    /** The subtree under (and including) {@code top}, every node after all of its descendants. */
    public List<Node> postOrder(Node top) {
        List<Node> out = new ArrayList<>();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(top);
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            out.add(node);
            for (String name : node.mutableChildren()) {
                stack.push(childOf(node, name));
            }
        }
        Collections.reverse(out);
        return out;
    }

    private Node childOf(Node parent, String name) {
        Node child = nodes.get(Paths.child(parent.path(), name));
        if (child == null) {
            throw new InvariantViolation("child " + name + " of " + parent.path() + " is listed but missing");
        }
        return child;
    }

    // ---- changes: each records its inverse ----

    public void insert(Node node) {
        insertRaw(node);
        undo.record(() -> removeRaw(node));
    }

    public void remove(Node node) {
        removeRaw(node);
        undo.record(() -> insertRaw(node));
    }

    public void setData(Node node, byte[] data, long revision, long timeMillis) {
        requireLive(node);
        byte[] oldData = node.data;
        long oldModRevision = node.modRevision;
        int oldVersion = node.version;
        long oldMtime = node.mtimeMillis;
        if (revision < oldModRevision) {
            throw new InvariantViolation("mod revision of " + node.path() + " would go back from "
                    + oldModRevision + " to " + revision);
        }
        node.data = data;
        node.modRevision = revision;
        node.version = oldVersion + 1;
        node.mtimeMillis = timeMillis;
        undo.record(() -> {
            node.data = oldData;
            node.modRevision = oldModRevision;
            node.version = oldVersion;
            node.mtimeMillis = oldMtime;
        });
    }

    /** Counts a child creation or deletion under {@code parent}. */
    public void childrenChanged(Node parent) {
        requireLive(parent);
        int old = parent.cversion;
        parent.cversion = old + 1;
        undo.record(() -> parent.cversion = old);
    }

    /** Hands out the parent's next sequential suffix. */
    public long takeSequence(Node parent) {
        requireLive(parent);
        long value = parent.nextSequence;
        if (value < 0) {
            throw new InvariantViolation("sequence counter of " + parent.path() + " is negative");
        }
        parent.nextSequence = Math.addExact(value, 1);
        undo.record(() -> parent.nextSequence = value);
        return value;
    }

    public boolean hasUncommittedChanges() {
        return !undo.isEmpty();
    }

    public void commit() {
        undo.clear();
    }

    public void rollback() {
        undo.rollback();
    }

    /** Adds a node read from a snapshot; its parent must already be there. */
    public void restore(Node node) {
        insertRaw(node);
    }

    // ---- the primitives ----

    private void insertRaw(Node node) {
        String path = node.path();
        if (path.equals(Paths.ROOT) || nodes.containsKey(path)) {
            throw new InvariantViolation("insert of " + path + ", which exists");
        }
        if (!node.mutableChildren().isEmpty()) {
            throw new InvariantViolation("insert of " + path + " with children listed");
        }
        Node parent = nodes.get(Paths.parent(path));
        if (parent == null || parent.kind() == NodeKind.EPHEMERAL) {
            throw new InvariantViolation("insert of " + path + " under a missing or ephemeral parent");
        }
        nodes.put(path, node);
        if (!parent.mutableChildren().add(node.name())) {
            throw new InvariantViolation("parent of " + path + " already listed it");
        }
        if (node.kind() == NodeKind.EPHEMERAL) {
            ephemeralsByOwner.computeIfAbsent(node.ephemeralOwner(), owner -> new TreeSet<>()).add(path);
        } else if (node.kind() == NodeKind.TTL) {
            ttlPaths.add(path);
        }
    }

    private void removeRaw(Node node) {
        String path = node.path();
        if (path.equals(Paths.ROOT)) {
            throw new InvariantViolation("removal of the root");
        }
        if (!node.mutableChildren().isEmpty()) {
            throw new InvariantViolation("removal of " + path + ", which has children");
        }
        if (nodes.remove(path) != node) {
            throw new InvariantViolation("removal of " + path + ", which is not in the tree");
        }
        Node parent = nodes.get(Paths.parent(path));
        if (parent == null || !parent.mutableChildren().remove(node.name())) {
            throw new InvariantViolation("parent of " + path + " did not list it");
        }
        if (node.kind() == NodeKind.EPHEMERAL) {
            TreeSet<String> owned = ephemeralsByOwner.get(node.ephemeralOwner());
            if (owned == null || !owned.remove(path)) {
                throw new InvariantViolation("ephemeral " + path + " was not indexed under its owner");
            }
            if (owned.isEmpty()) {
                ephemeralsByOwner.remove(node.ephemeralOwner());
            }
        } else if (node.kind() == NodeKind.TTL && !ttlPaths.remove(path)) {
            throw new InvariantViolation("ttl node " + path + " was not indexed");
        }
    }

    private void requireLive(Node node) {
        if (nodes.get(node.path()) != node) {
            throw new InvariantViolation("change to " + node.path() + ", which is not in the tree");
        }
    }

    /**
     * Full consistency check, linear in the tree's size: for tests and after restoring a snapshot.
     *
     * @throws InvariantViolation at the first inconsistency
     */
    public void verify(long revision) {
        int reachable = 0;
        int ephemerals = 0;
        int ttls = 0;
        for (Node node : preOrder()) {
            reachable++;
            if (node.modRevision() > revision || node.createRevision() > node.modRevision()) {
                throw new InvariantViolation("revisions of " + node.path() + " are beyond " + revision);
            }
            if (node.kind() == NodeKind.EPHEMERAL) {
                ephemerals++;
                InvariantViolation.check(node.children().isEmpty(), "ephemeral with children");
                TreeSet<String> owned = ephemeralsByOwner.get(node.ephemeralOwner());
                InvariantViolation.check(owned != null && owned.contains(node.path()), "ephemeral not indexed");
            } else if (node.kind() == NodeKind.TTL) {
                ttls++;
                InvariantViolation.check(ttlPaths.contains(node.path()), "ttl node not indexed");
            }
        }
        InvariantViolation.check(reachable == nodes.size(), "unreachable nodes in the tree");
        InvariantViolation.check(ttls == ttlPaths.size(), "stale ttl index");
        int indexed = 0;
        for (TreeSet<String> owned : ephemeralsByOwner.values()) {
            indexed += owned.size();
        }
        InvariantViolation.check(ephemerals == indexed, "stale ephemeral index");
    }
}

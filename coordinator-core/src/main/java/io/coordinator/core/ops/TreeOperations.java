package io.coordinator.core.ops;

import io.coordinator.core.LogTime;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.core.tree.DataTree;
import io.coordinator.core.tree.Node;
import io.coordinator.core.tree.NodeKind;
import io.coordinator.core.tree.Paths;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The tree operations, and the deletions the service does on its own (ephemerals, containers, TTL
 * nodes). Every check happens before the first change, so a failing op changes nothing; changes
 * of earlier ops in a transaction are the caller's to roll back.
 */
public final class TreeOperations {

    private static final String SEQUENCE_PLACEHOLDER = "0".repeat(Paths.SEQUENCE_DIGITS);

    private final DataTree tree;
    private final Limits limits;
    private final LongPredicate sessionAlive;

    public TreeOperations(DataTree tree, Limits limits, LongPredicate sessionAlive) {
        this.tree = tree;
        this.limits = limits;
        this.sessionAlive = sessionAlive;
    }

    /**
     * @param sessionId the requester's session, which owns the ephemerals it creates (0 for none)
     */
    public Response execute(Op op, Change change, long sessionId) {
        if (op instanceof Op.Create create) {
            return create(create, change, sessionId);
        }
        if (op instanceof Op.SetData set) {
            return set(set, change);
        }
        if (op instanceof Op.Delete delete) {
            return delete(delete, change);
        }
        if (op instanceof Op.Get get) {
            return get(get);
        }
        if (op instanceof Op.Exists exists) {
            return exists(exists);
        }
        if (op instanceof Op.Children children) {
            return children(children);
        }
        throw new IllegalArgumentException("unknown op " + op);
    }

    private Response create(Op.Create create, Change change, long sessionId) {
        CreateMode mode = create.mode();
        String requested = create.path();
        // A sequential path is checked with its suffix: "/queue/" is fine, the name is the counter.
        Response.Failure bad = Paths.check(mode.sequential() ? requested + SEQUENCE_PLACEHOLDER : requested,
                limits.pathLengthMax());
        if (bad != null) {
            return bad;
        }
        if (requested.equals(Paths.ROOT) && !mode.sequential()) {
            return Failures.of(ErrorCode.INVALID_PATH, "the root always exists and cannot be created");
        }
        if (create.data().length > limits.dataBytesMax()) {
            return tooLarge(create.data().length);
        }
        if (mode.hasTtl() ? create.ttlMillis() <= 0 : create.ttlMillis() != 0) {
            return Failures.of(ErrorCode.BAD_ARGUMENTS, "ttl " + create.ttlMillis() + " ms is not allowed for "
                    + mode + (mode.hasTtl() ? ": it must be positive" : ": only TTL modes take one"));
        }
        long owner = 0;
        if (mode.ephemeral()) {
            if (sessionId == 0) {
                return Failures.of(ErrorCode.BAD_ARGUMENTS, "an ephemeral node needs a session");
            }
            if (!sessionAlive.test(sessionId)) {
                return Failures.of(ErrorCode.SESSION_EXPIRED, "session " + sessionId + " is not alive");
            }
            owner = sessionId;
        }
        String parentPath = Paths.parent(mode.sequential() ? requested + SEQUENCE_PLACEHOLDER : requested);
        Node parent = tree.find(parentPath);
        if (parent == null) {
            return Failures.of(ErrorCode.NO_NODE, "parent " + Paths.describe(parentPath) + " does not exist");
        }
        if (parent.kind() == NodeKind.EPHEMERAL) {
            return Failures.of(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS,
                    "parent " + Paths.describe(parentPath) + " is ephemeral");
        }
        String path = requested;
        if (mode.sequential()) {
            if (parent.nextSequence() == Long.MAX_VALUE) {
                return Failures.of(ErrorCode.BAD_ARGUMENTS, "sequence of " + Paths.describe(parentPath) + " is exhausted");
            }
            path = requested + Paths.sequenceSuffix(parent.nextSequence());
        }
        if (tree.find(path) != null) {
            return Failures.of(ErrorCode.NODE_EXISTS, "node " + Paths.describe(path) + " exists");
        }
        if (mode.sequential()) {
            tree.takeSequence(parent);
        }
        Node node = new Node(path, NodeKind.of(mode), mode.hasTtl() ? create.ttlMillis() : 0, owner,
                create.data().clone(), change.revision(), change.timeMillis());
        tree.insert(node);
        tree.childrenChanged(parent);
        change.created(node);
        change.childrenChanged(parent);
        return new Response.Created(path, node.stat());
    }

    private Response set(Op.SetData set, Change change) {
        Response.Failure bad = Paths.check(set.path(), limits.pathLengthMax());
        if (bad != null) {
            return bad;
        }
        if (set.data().length > limits.dataBytesMax()) {
            return tooLarge(set.data().length);
        }
        Node node = tree.find(set.path());
        if (node == null) {
            return Failures.noNode(set.path());
        }
        if (set.expectedVersion() != -1 && set.expectedVersion() != node.version()) {
            return Failures.badVersion(set.path(), set.expectedVersion(), node.version());
        }
        tree.setData(node, set.data().clone(), change.revision(), change.timeMillis());
        change.dataChanged(node);
        return new Response.Updated(node.stat());
    }

    private Response delete(Op.Delete delete, Change change) {
        Response.Failure bad = Paths.check(delete.path(), limits.pathLengthMax());
        if (bad != null) {
            return bad;
        }
        if (delete.path().equals(Paths.ROOT)) {
            return Failures.of(ErrorCode.INVALID_PATH, "the root cannot be deleted");
        }
        Node node = tree.find(delete.path());
        if (node == null) {
            return Failures.noNode(delete.path());
        }
        if (delete.expectedVersion() != -1 && delete.expectedVersion() != node.version()) {
            return Failures.badVersion(delete.path(), delete.expectedVersion(), node.version());
        }
        if (!node.children().isEmpty() && !delete.recursive()) {
            return Failures.of(ErrorCode.NOT_EMPTY, "node " + Paths.describe(delete.path()) + " has "
                    + node.children().size() + " children");
        }
        List<Node> doomed = delete.recursive() ? tree.postOrder(node) : List.of(node);
        for (Node each : doomed) {
            removeOne(each, change);
        }
        removeEmptyContainers(Paths.parent(delete.path()), change);
        return new Response.Deleted(delete.path(), doomed.size());
    }

    private Response get(Op.Get get) {
        Response.Failure bad = Paths.check(get.path(), limits.pathLengthMax());
        if (bad != null) {
            return bad;
        }
        Node node = tree.find(get.path());
        return node == null ? Failures.noNode(get.path()) : new Response.Data(node.dataCopy(), node.stat());
    }

    private Response exists(Op.Exists exists) {
        Response.Failure bad = Paths.check(exists.path(), limits.pathLengthMax());
        if (bad != null) {
            return bad;
        }
        Node node = tree.find(exists.path());
        return new Response.ExistsResult(node == null ? null : node.stat());
    }

    private Response children(Op.Children children) {
        Response.Failure bad = Paths.check(children.path(), limits.pathLengthMax());
        if (bad != null) {
            return bad;
        }
        Node node = tree.find(children.path());
        if (node == null) {
            return Failures.noNode(children.path());
        }
        List<String> names = List.copyOf(node.children());
        List<Stat> stats = new ArrayList<>(children.withStats() ? names.size() : 0);
        if (children.withStats()) {
            for (String name : names) {
                stats.add(tree.find(Paths.child(node.path(), name)).stat());
            }
        }
        return new Response.ChildrenResult(names, stats, node.stat());
    }

    /** Deletes every ephemeral of a session that ended, in path order. */
    public void deleteEphemeralsOf(long owner, Change change) {
        for (String path : tree.ephemeralsOf(owner)) {
            Node node = tree.find(path);
            removeOne(node, change);
            removeEmptyContainers(Paths.parent(path), change);
        }
    }

    /**
     * Deletes the TTL nodes that are childless and unmodified for their TTL as of the change's time.
     * Deepest paths go first (reverse path order puts descendants before ancestors), so a TTL
     * parent left childless by this very pass goes too.
     */
    public void deleteExpiredTtlNodes(Change change) {
        for (String path : List.copyOf(tree.ttlPaths().descendingSet())) {
            Node node = tree.find(path);
            if (node != null && node.children().isEmpty()
                    && LogTime.deadline(node.mtimeMillis(), node.ttlMillis()) <= change.timeMillis()) {
                removeOne(node, change);
                removeEmptyContainers(Paths.parent(path), change);
            }
        }
    }

    /** The nearest deadline of a TTL node that {@link #deleteExpiredTtlNodes} could delete; MAX_VALUE if none. */
    public long earliestTtlDeadlineMillis() {
        long earliest = Long.MAX_VALUE;
        for (String path : tree.ttlPaths()) {
            Node node = tree.find(path);
            if (node != null && node.children().isEmpty()) {
                earliest = Math.min(earliest, LogTime.deadline(node.mtimeMillis(), node.ttlMillis()));
            }
        }
        return earliest;
    }

    /** Containers go in the same revision as their last child, and so on upward. */
    private void removeEmptyContainers(String path, Change change) {
        Node node = tree.find(path);
        while (node != null && node.kind() == NodeKind.CONTAINER && node.children().isEmpty()) {
            String parent = Paths.parent(node.path());
            removeOne(node, change);
            node = tree.find(parent);
        }
    }

    private void removeOne(Node node, Change change) {
        Stat before = node.stat();
        tree.remove(node);
        Node parent = tree.find(Paths.parent(node.path()));
        tree.childrenChanged(parent);
        change.deleted(node.path(), before);
        change.childrenChanged(parent);
    }

    private Response.Failure tooLarge(int length) {
        return Failures.of(ErrorCode.TOO_LARGE,
                "data is " + length + " bytes, over the limit of " + limits.dataBytesMax());
    }
}

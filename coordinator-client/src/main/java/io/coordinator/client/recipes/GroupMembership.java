package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Ops;
import io.coordinator.client.SessionInfo;
import io.coordinator.client.TxnResult;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.WatchKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Group membership: each member is an EPHEMERAL node {@code GROUP/ID} holding the data it joined
 * with, so it stays a member exactly as long as its session lives (or until it leaves); anyone can
 * read the members or follow them.
 *
 * <pre>{@code
 * GroupMembership workers = new GroupMembership(client, "/groups/workers");
 * GroupMember me = workers.join("worker-7", "10.0.0.7:9000".getBytes(UTF_8));
 * me.ended().thenAccept(reason -> rejoinOrStop());
 * Subscription s = workers.listen(view -> rebalance(view.members().keySet()));
 * me.leave();
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li>An id is held by one session at a time: joining with an id that another session holds fails
 *     with NODE_EXISTS (this includes the client's own previous session, until it has ended on the
 *     cluster).</li>
 * <li>{@link #members()} is one linearizable, atomic read: every member it shows was a member at its
 *     revision, and none is missing. Views hold at most {@code limits.txn-ops-max} - 1 members (127 by
 *     default): one transaction reads the list and every member's data.</li>
 * <li>{@link #listen} hears the current view at once, then a new view after every change: a subtree
 *     watch from the view's revision + 1 means no change is missed (several quick ones may come as one
 *     view), views arrive in revision order, one at a time. If the watch fails (COMPACTED, a member
 *     that cannot serve it), the listener reads the view again and watches from there: it hears the
 *     view as of then, so it is never left silently behind.</li>
 * </ul>
 *
 * <h2>Sessions</h2>
 * A member's node lives with its session. SUSPENDED: nothing changes; the others keep seeing it while
 * the session may live (membership is not exclusive, so there is no need to step down). RECONNECTED:
 * still a member. LOST: the node is gone or going, and {@link GroupMember#ended()} completes with
 * SESSION_LOST; join again (the client opens a new session) to come back. Listeners ride through all
 * three: their watch moves with the client.
 */
public final class GroupMembership {
    private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);
    private static final int ATTEMPTS_MAX = 20;
    private static final long RETRY_MILLIS = 1_000;

    private final Coordinator client;
    private final String path;
    private final Contender dir;

    /** @param path the group's directory, e.g. {@code /groups/workers}; a container, created on first join */
    public GroupMembership(Coordinator client, String path) {
        this.client = Objects.requireNonNull(client, "client");
        this.path = Objects.requireNonNull(path, "path");
        this.dir = new Contender(client, path);
    }

    public String path() {
        return path;
    }

    /**
     * Joins as {@code id} (one path segment) with {@code data}, in one round trip when the group exists.
     *
     * @throws CoordinatorException.NodeExistsException another session is a member with this id
     * @throws CoordinatorException                     INVALID_PATH (a bad id), TOO_LARGE, or the cluster
     *                                                  unreachable within the request timeout
     */
    public GroupMember join(String id, byte[] data) {
        if (id.isEmpty() || id.contains("/")) {
            throw new IllegalArgumentException("a member id is one path segment: '" + id + "'");
        }
        String node = dir.child(id);
        for (int attempt = 1; ; attempt++) {
            try {
                TxnResult result = client.txn()
                        .compare(Compare.exists(path, true))
                        .then(Ops.create(node, data, CreateMode.EPHEMERAL))
                        .orElse(Ops.create(path, new byte[0], CreateMode.CONTAINER), Ops.create(node, data, CreateMode.EPHEMERAL))
                        .commit();
                Response.Created created = result.result(result.succeeded() ? 0 : 1, Response.Created.class);
                return started(new QueueNode(created.path(), created.stat().createRevision(), created.stat().ephemeralOwner()));
            } catch (CoordinatorException e) {
                if (e.code() == ErrorCode.NO_NODE && attempt < ATTEMPTS_MAX) {
                    dir.ensureAncestors();
                } else if ((e.code() == ErrorCode.NODE_EXISTS || e.outcomeUnknown()) && attempt < ATTEMPTS_MAX) {
                    // Ours already, from a retried create whose answer was lost? Otherwise someone else's.
                    Optional<QueueNode> mine = ownedByThisSession(node);
                    if (mine.isPresent()) {
                        return started(mine.get());
                    }
                    if (e.code() == ErrorCode.NODE_EXISTS) {
                        throw e;
                    }
                } else {
                    throw e;
                }
            }
        }
    }

    private GroupMember started(QueueNode node) {
        GroupMember member = new GroupMember(client, node, dir);
        member.start();
        return member;
    }

    private Optional<QueueNode> ownedByThisSession(String node) {
        Optional<Stat> stat = client.exists(node);
        Optional<SessionInfo> session = client.session();
        if (stat.isPresent() && session.isPresent() && stat.get().ephemeralOwner() == session.get().sessionId()) {
            return Optional.of(new QueueNode(node, stat.get().createRevision(), stat.get().ephemeralOwner()));
        }
        return Optional.empty();
    }

    /**
     * The members as of one linearizable read (see the class comment for the size bound).
     *
     * @throws CoordinatorException TOO_LARGE for a group past the bound; UNAVAILABLE when the group
     *                              changed under every one of 20 attempts
     */
    public GroupView members() {
        List<String> names = null;
        for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
            if (names == null) {
                try {
                    names = client.children(path).names();
                } catch (CoordinatorException.NoNodeException e) {
                    return new GroupView(new TreeMap<>(), client.get("/").revision());
                }
            }
            List<Op> reads = new ArrayList<>();
            reads.add(Ops.children(path, false));
            for (String name : names) {
                reads.add(Ops.get(dir.child(name)));
            }
            TxnResult result;
            try {
                result = client.txn().then(reads.toArray(Op[]::new)).commit();
            } catch (CoordinatorException.NoNodeException e) {
                names = null; // one left (or the group went) between the reads: list again
                continue;
            }
            List<String> now = result.result(0, Response.ChildrenResult.class).names();
            if (!now.equals(names)) {
                names = now; // someone joined meanwhile
                continue;
            }
            TreeMap<String, byte[]> members = new TreeMap<>();
            for (int i = 0; i < names.size(); i++) {
                members.put(names.get(i), result.result(i + 1, Response.Data.class).data());
            }
            return new GroupView(members, result.revision());
        }
        throw new CoordinatorException(ErrorCode.UNAVAILABLE, "the group " + path + " changed under each of "
                + ATTEMPTS_MAX + " reads");
    }

    /** Hears the members of a group. */
    @FunctionalInterface
    public interface GroupListener {
        /** The view at first, then after each change. Called one at a time, in revision order. */
        void membersChanged(GroupView view);
    }

    /**
     * Calls {@code listener} with the current view, then with a new view after each change, until the
     * subscription is closed.
     */
    public Subscription listen(GroupListener listener) {
        Listening listening = new Listening(listener);
        listening.restart();
        return listening;
    }

    private final class Listening implements Subscription {
        private final GroupListener listener;
        private GroupView last;
        private Watch watch;
        private boolean closed;

        Listening(GroupListener listener) {
            this.listener = listener;
        }

        /** Reads the view, tells the listener if it changed, and watches from the revision after it. */
        synchronized void restart() {
            if (closed) {
                return;
            }
            GroupView view = members();
            deliver(view);
            watch = client.watch(path, WatchKind.PERSISTENT_RECURSIVE, view.revision() + 1, new WatchListener() {
                @Override
                public void onEvents(WatchEvents events) {
                    refresh(events.revision());
                }

                @Override
                public void onError(CoordinatorException error) {
                    log.info("group {}: watch ended ({}); reading the members again", path, error.toString());
                    restartLater(0);
                }
            });
        }

        /** Starts over on another thread (never on the client's callback thread), after {@code delayMillis}. */
        private void restartLater(long delayMillis) {
            synchronized (this) {
                if (watch != null) {
                    watch.close();
                    watch = null;
                }
            }
            CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS).execute(() -> {
                try {
                    restart();
                } catch (CoordinatorException e) {
                    log.warn("group {}: could not follow the members yet, again in {} ms: {}", path, RETRY_MILLIS, e.toString());
                    restartLater(RETRY_MILLIS);
                }
            });
        }

        private void refresh(long revision) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                try {
                    deliver(members());
                    return;
                } catch (CoordinatorException e) {
                    log.warn("group {}: could not read the members after revision {}: {}", path, revision, e.toString());
                }
            }
            restartLater(RETRY_MILLIS);
        }

        private void deliver(GroupView view) {
            if (last == null || (view.revision() >= last.revision() && !view.sameMembers(last))) {
                last = view;
                listener.membersChanged(view);
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (watch != null) {
                watch.close();
            }
        }
    }
}

package io.coordinator.client.recipes;

import io.coordinator.client.ChildrenResult;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Ops;
import io.coordinator.client.SessionInfo;
import io.coordinator.client.SessionState;
import io.coordinator.client.TxnResult;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.client.watch.Watched;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * The queue every ordered recipe stands in: ephemeral sequential nodes in one directory, ordered by
 * their sequence suffix (which follows log order, and so creation order). A contender creates its
 * node, then waits for its turn by watching the node(s) just ahead of it (one for a mutex, N for a
 * semaphore), never the whole directory: when one goes, only the contenders watching it wake (no herd). The directory is a container, created on
 * first use with any missing ancestors (persistent), and removed by the cluster once its last node
 * goes.
 *
 * <p>Names are {@code prefix + id + "-" + sequence}, where {@code id} is random per node: after a
 * create with an unknown outcome (TIMEOUT) the contender finds its node, if any, by that id instead
 * of leaving an orphan that would block the queue until its session ended.
 */
final class Contender {
    /** Sequential suffixes are 19 zero-padded digits: sorting by them is sorting by creation. */
    static final int SEQUENCE_DIGITS = 19;
    /** Wakes a waiter this often to notice, from the client alone, that its session is gone. */
    private static final long SESSION_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int CREATE_ATTEMPTS_MAX = 5;
    /** A failed removal is tried again this often, this many times at most, while the session lives. */
    private static final long REMOVE_RETRY_MILLIS = 500;
    private static final int REMOVE_RETRIES_MAX = 600;
    private static final SecureRandom IDS = new SecureRandom();

    private final Coordinator client;
    private final String dir;

    Contender(Coordinator client, String dir) {
        this.client = client;
        this.dir = dir;
    }

    String dir() {
        return dir;
    }

    static long sequenceOf(String name) {
        if (name.length() < SEQUENCE_DIGITS) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(name.substring(name.length() - SEQUENCE_DIGITS));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // not one of ours: sorts last, never blocks anyone
        }
    }

    /** Names in queue order: by sequence, ties (only across a recreated directory) by name. */
    static List<String> ordered(List<String> names) {
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(Comparator.comparingLong(Contender::sequenceOf).thenComparing(Comparator.naturalOrder()));
        return sorted;
    }

    String child(String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /**
     * Creates this contender's node and reads the queue at the same revision, in one transaction (so
     * an uncontended acquire costs one round trip). Fails, having changed nothing, on a path the
     * members refuse (INVALID_PATH, TOO_LARGE): the node is tried before any ancestor is created.
     */
    Enqueued enqueue(String prefix, byte[] data) {
        String id = HexFormat.of().formatHex(randomBytes());
        String requested = child(prefix + id + "-");
        for (int attempt = 1; ; attempt++) {
            try {
                // Whether or not the directory exists (a container comes and goes with its nodes),
                // one round trip: create it in the same transaction when it is missing.
                TxnResult result = client.txn()
                        .compare(Compare.exists(dir, true))
                        .then(Ops.create(requested, data, CreateMode.EPHEMERAL_SEQUENTIAL), Ops.children(dir, false))
                        .orElse(Ops.create(dir, new byte[0], CreateMode.CONTAINER),
                                Ops.create(requested, data, CreateMode.EPHEMERAL_SEQUENTIAL), Ops.children(dir, false))
                        .commit();
                int first = result.succeeded() ? 0 : 1;
                Response.Created created = result.result(first, Response.Created.class);
                Response.ChildrenResult queue = result.result(first + 1, Response.ChildrenResult.class);
                return new Enqueued(new QueueNode(created.path(), created.stat().createRevision(),
                        created.stat().ephemeralOwner()), queue.names());
            } catch (CoordinatorException e) {
                if (e.code() == ErrorCode.NO_NODE && attempt < CREATE_ATTEMPTS_MAX) {
                    // An ancestor of the directory is missing.
                    ensureAncestors();
                } else if (e.outcomeUnknown() && attempt < CREATE_ATTEMPTS_MAX) {
                    Optional<QueueNode> mine = find(prefix + id + "-");
                    if (mine.isPresent()) {
                        return new Enqueued(mine.get(), null);
                    }
                } else {
                    throw e;
                }
            }
        }
    }

    /** @param queue the directory's children at the node's creation, or null when unknown */
    record Enqueued(QueueNode node, List<String> queue) {
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        IDS.nextBytes(bytes);
        return bytes;
    }

    private Optional<QueueNode> find(String namePrefix) {
        ChildrenResult children;
        try {
            children = client.children(dir, true);
        } catch (CoordinatorException.NoNodeException e) {
            return Optional.empty();
        }
        for (int i = 0; i < children.names().size(); i++) {
            String name = children.names().get(i);
            if (name.startsWith(namePrefix)) {
                Stat stat = children.stats().get(i);
                return Optional.of(new QueueNode(child(name), stat.createRevision(), stat.ephemeralOwner()));
            }
        }
        return Optional.empty();
    }

    /** Creates the directory's missing ancestors, persistent; the directory itself comes with the first node. */
    void ensureAncestors() {
        for (int slash = dir.indexOf('/', 1); slash > 0; slash = dir.indexOf('/', slash + 1)) {
            try {
                client.create(dir.substring(0, slash), new byte[0], CreateMode.PERSISTENT);
            } catch (CoordinatorException.NodeExistsException e) {
                // someone else made it: fine
            }
        }
    }

    /** True while the client still holds the session that owns {@code node}. */
    boolean sessionHolds(QueueNode node) {
        if (client.state() == SessionState.LOST) {
            return false;
        }
        Optional<SessionInfo> session = client.session();
        return session.isPresent() && session.get().sessionId() == node.sessionId();
    }

    /**
     * Waits until it is the node's turn, as decided by {@code turn}: given the queue in order and
     * the node's index in it, the names of the nodes to wait for (any one of them leaving is a reason
     * to look again), or an empty list when it may go ahead. Each is watched with a one-shot exists
     * watch set up after the read, so a departure in between is seen by the watch's own answer.
     *
     * @param deadlineNanos {@link System#nanoTime()} to give up at, or {@link Long#MAX_VALUE}
     * @return false on reaching the deadline (the node is left in place: the caller removes it)
     * @throws LockLostException when the node is gone or its session is no longer the client's
     */
    boolean awaitTurn(Enqueued enqueued, BiFunction<List<String>, Integer, List<String>> turn, long deadlineNanos)
            throws InterruptedException {
        QueueNode node = enqueued.node();
        List<String> known = enqueued.queue();
        while (true) {
            checkAlive(node);
            List<String> queue = ordered(known != null ? known : queueNow(node));
            known = null;
            int index = queue.indexOf(node.name());
            if (index < 0) {
                throw new LockLostException(node.path(), "its node is gone (session ended, or deleted)");
            }
            List<String> ahead = turn.apply(queue, index);
            if (ahead.isEmpty()) {
                return true;
            }
            CompletableFuture<Void> gone = new CompletableFuture<>();
            WatchListener wake = new WatchListener() {
                @Override
                public void onEvents(WatchEvents events) {
                    gone.complete(null);
                }

                @Override
                public void onError(CoordinatorException error) {
                    gone.complete(null); // re-read and watch again
                }
            };
            List<Watched<Optional<Stat>>> watches = new ArrayList<>(ahead.size());
            try {
                for (String name : ahead) {
                    Watched<Optional<Stat>> watched = client.existsAndWatch(child(name), wake);
                    watches.add(watched);
                    if (watched.result().isEmpty()) {
                        gone.complete(null); // already left: look again at once
                        break;
                    }
                }
                while (!gone.isDone()) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        gone.get(Math.min(left, SESSION_CHECK_NANOS), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        checkAlive(node);
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("never completed exceptionally", e);
                    }
                }
            } finally {
                for (Watched<Optional<Stat>> watched : watches) {
                    watched.watch().close();
                }
            }
        }
    }

    /**
     * The directory's children now. The directory is a container: once the session that owned our
     * node ended, the node went and the cluster may have removed the emptied directory too; that is
     * the grant lost, not a missing path the caller got wrong.
     */
    private List<String> queueNow(QueueNode node) {
        try {
            return client.children(dir).names();
        } catch (CoordinatorException.NoNodeException e) {
            throw new LockLostException(node.path(), "its directory is gone with it (session ended, or deleted)");
        }
    }

    private void checkAlive(QueueNode node) {
        if (!sessionHolds(node)) {
            throw new LockLostException(node.path(), "the session " + node.sessionId() + " that owns it is lost");
        }
    }

    /**
     * Deletes {@code node} if it is still the same node (same createRevision), whichever session the
     * client holds now. Absent already: nothing to do.
     *
     * <p>When the delete fails (the cluster unreachable past the request timeout) the failure is
     * thrown, and the delete goes on in the background while the client still holds the node's
     * session, like Curator's guaranteed delete: a node left behind would block everyone queued after
     * it until its session ends, which for a live client is never. Retrying is safe because the
     * compare on createRevision can only ever delete this very node.
     */
    void remove(QueueNode node) {
        try {
            deleteIfSame(node);
        } catch (CoordinatorException e) {
            retryRemoval(node, 1);
            throw e;
        }
    }

    private void deleteIfSame(QueueNode node) {
        client.txn()
                .compare(Compare.createRevision(node.path(), Compare.Operator.EQUAL, node.createRevision()))
                .then(Ops.delete(node.path(), -1))
                .commit();
    }

    private void retryRemoval(QueueNode node, int attempt) {
        if (attempt > REMOVE_RETRIES_MAX || !sessionHolds(node)) {
            return; // the session's end removes it, or has already
        }
        CompletableFuture.runAsync(() -> {
            try {
                deleteIfSame(node);
            } catch (CoordinatorException e) {
                retryRemoval(node, attempt + 1);
            }
        }, CompletableFuture.delayedExecutor(REMOVE_RETRY_MILLIS, TimeUnit.MILLISECONDS));
    }

    /** {@link #remove}, swallowing failures: the caller is already failing for another reason. */
    void removeQuietly(QueueNode node, Throwable cause) {
        try {
            remove(node);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}

package io.coordinator.server.http;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.core.tree.Paths;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The queue under the gateway's locks and elections, in the node layout of the Java client's recipes
 * ({@code coordinator-client}'s {@code Contender}, {@code DistributedMutex}, {@code LeaderElection}),
 * so that HTTP and Java contenders on the same directory queue together:
 *
 * <ul>
 * <li>NAME is a directory, a CONTAINER created on first use (missing ancestors: persistent);</li>
 * <li>each contender is an EPHEMERAL_SEQUENTIAL child {@code PREFIX + 16 hex digits + "-" + 19-digit
 *     sequence} owned by its session ({@code lock-} for a lock, {@code candidate-} for an election),
 *     created in one txn with a read of the queue;</li>
 * <li>queue order is the sequence suffix (then the name); the first holds the lock or leads;</li>
 * <li>the fencing token is the holder node's createRevision; a grant is in force while that node
 *     exists with that createRevision, which is what a fenced write compares.</li>
 * </ul>
 *
 * Nothing here is in the state machine: every step is an ordinary request through {@link Calls}.
 * Failures come back as a {@link GatewayException} holding the error reply.
 */
final class RecipeQueue {
    static final String LOCK_PREFIX = "lock-";
    static final String CANDIDATE_PREFIX = "candidate-";
    /** The gateway's own error codes (409), for outcomes the protocol has no code for. */
    static final String NOT_HOLDER = "NOT_HOLDER";
    static final String NOT_ACQUIRED = "NOT_ACQUIRED";
    private static final int ENQUEUE_ATTEMPTS_MAX = 5;
    private static final int LEADER_READ_ATTEMPTS_MAX = 20;

    private final Calls calls;
    private final int pathLengthMax;
    private final Supplier<byte[]> randomIds;

    /** @param randomIds 8 random bytes per call, for the contender ids in node names */
    RecipeQueue(Calls calls, int pathLengthMax, Supplier<byte[]> randomIds) {
        this.calls = calls;
        this.pathLengthMax = pathLengthMax;
        this.randomIds = randomIds;
    }

    /** A contender's node: its path (the key) and createRevision (the token). */
    record Contender(String dir, String key, long token, long sessionId) {
        String name() {
            return Paths.name(key);
        }
    }

    /** @param queue the directory's children at {@code revision} */
    record Enqueued(Contender contender, List<String> queue, long revision) {
    }

    /** The first of a queue as of {@code revision}: empty when nobody stands. */
    record Head(Optional<Holder> holder, long revision) {
    }

    record Holder(String key, long token, byte[] data) {
        boolean same(Holder other) {
            return other != null && key.equals(other.key) && token == other.token
                    && Arrays.equals(data, other.data);
        }
    }

    static long sequenceOf(String name) {
        if (name.length() < Paths.SEQUENCE_DIGITS) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(name.substring(name.length() - Paths.SEQUENCE_DIGITS));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // not one of ours: sorts last, never blocks anyone
        }
    }

    /** Names in queue order: by sequence, ties (only across a recreated directory) by name. */
    static List<String> ordered(List<String> names) {
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(Comparator.comparingLong(RecipeQueue::sequenceOf).thenComparing(Comparator.naturalOrder()));
        return sorted;
    }

    /**
     * Creates a contender's node for {@code sessionId} and reads the queue at the same revision. The
     * paths are checked first, so a name the members would refuse creates nothing, not even an ancestor.
     */
    CompletableFuture<Enqueued> enqueue(String dir, String prefix, byte[] data, long sessionId) {
        String id = HexFormat.of().formatHex(randomIds.get());
        String requested = Paths.child(dir, prefix + id + "-");
        check(dir);
        check(requested + "0".repeat(Paths.SEQUENCE_DIGITS));
        return enqueue(dir, requested, data, sessionId, 1);
    }

    private CompletableFuture<Enqueued> enqueue(String dir, String requested, byte[] data, long sessionId, int attempt) {
        Op.Create create = new Op.Create(requested, data, CreateMode.EPHEMERAL_SEQUENTIAL, 0);
        Op.Children children = new Op.Children(dir, false);
        // Whether or not the directory exists (a container comes and goes with its nodes), one round trip.
        Command.Txn txn = new Command.Txn(List.of(Compare.exists(dir, true)), List.of(create, children),
                List.of(new Op.Create(dir, new byte[0], CreateMode.CONTAINER, 0), create, children));
        return calls.submit(new Request(sessionId, 0, txn), Consistency.LINEARIZABLE, 0).thenCompose(reply -> {
            if (reply.response() instanceof Response.Failure failure) {
                if (failure.code() == ErrorCode.NO_NODE && attempt < ENQUEUE_ATTEMPTS_MAX) {
                    return ensureAncestors(dir).thenCompose(v -> enqueue(dir, requested, data, sessionId, attempt + 1));
                }
                if (failure.code() == ErrorCode.TIMEOUT && attempt < ENQUEUE_ATTEMPTS_MAX) {
                    // Outcome unknown: find the node by its random id rather than leave an orphan in the queue.
                    return find(dir, Paths.name(requested), sessionId).thenCompose(found -> found.isPresent()
                            ? CompletableFuture.completedFuture(found.get())
                            : enqueue(dir, requested, data, sessionId, attempt + 1));
                }
                throw refused(reply, failure);
            }
            Response.TxnResult result = (Response.TxnResult) reply.response();
            int first = result.succeeded() ? 0 : 1;
            Response.Created created = (Response.Created) result.results().get(first);
            Response.ChildrenResult queue = (Response.ChildrenResult) result.results().get(first + 1);
            return CompletableFuture.completedFuture(new Enqueued(new Contender(dir, created.path(),
                    created.stat().createRevision(), sessionId), queue.names(), reply.revision()));
        });
    }

    private CompletableFuture<Optional<Enqueued>> find(String dir, String namePrefix, long sessionId) {
        Command.Txn read = new Command.Txn(List.of(), List.of(new Op.Children(dir, true)), List.of());
        return calls.submit(Request.of(read), Consistency.LINEARIZABLE, 0).thenApply(reply -> {
            if (reply.response() instanceof Response.Failure failure) {
                if (failure.code() == ErrorCode.NO_NODE) {
                    return Optional.empty();
                }
                throw refused(reply, failure);
            }
            Response.ChildrenResult children = (Response.ChildrenResult) ((Response.TxnResult) reply.response()).results().get(0);
            for (int i = 0; i < children.names().size(); i++) {
                String name = children.names().get(i);
                if (name.startsWith(namePrefix)) {
                    Contender mine = new Contender(dir, Paths.child(dir, name), children.stats().get(i).createRevision(), sessionId);
                    return Optional.of(new Enqueued(mine, children.names(), reply.revision()));
                }
            }
            return Optional.empty();
        });
    }

    /** Creates the directory's missing ancestors, persistent, one after the other; the directory comes with the first node. */
    private CompletableFuture<Void> ensureAncestors(String dir) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int slash = dir.indexOf('/', 1); slash > 0; slash = dir.indexOf('/', slash + 1)) {
            Op.Create ancestor = new Op.Create(dir.substring(0, slash), new byte[0], CreateMode.PERSISTENT, 0);
            chain = chain.thenCompose(v -> calls.submit(Request.of(new Command.Execute(ancestor)), Consistency.LINEARIZABLE, 0)
                    .thenAccept(reply -> {
                        if (reply.response() instanceof Response.Failure failure && failure.code() != ErrorCode.NODE_EXISTS) {
                            throw refused(reply, failure);
                        }
                    }));
        }
        return chain;
    }

    /** The queue, read linearizably: the directory's children (none when it is gone) and the revision. */
    CompletableFuture<Enqueued> read(Contender contender) {
        Command.Txn read = new Command.Txn(List.of(), List.of(new Op.Children(contender.dir(), false)), List.of());
        return calls.submit(Request.of(read), Consistency.LINEARIZABLE, 0).thenApply(reply -> {
            if (reply.response() instanceof Response.Failure failure) {
                if (failure.code() == ErrorCode.NO_NODE) {
                    return new Enqueued(contender, List.of(), reply.revision());
                }
                throw refused(reply, failure);
            }
            Response.ChildrenResult children = (Response.ChildrenResult) ((Response.TxnResult) reply.response()).results().get(0);
            return new Enqueued(contender, children.names(), reply.revision());
        });
    }

    /** Whether the session is alive, as of a linearizable read. */
    CompletableFuture<Boolean> sessionAlive(long sessionId) {
        Command.Txn alive = new Command.Txn(List.of(Compare.sessionAlive(sessionId)), List.of(), List.of());
        return calls.submit(Request.of(alive), Consistency.LINEARIZABLE, 0).thenApply(reply -> {
            if (reply.response() instanceof Response.Failure failure) {
                throw refused(reply, failure);
            }
            return ((Response.TxnResult) reply.response()).succeeded();
        });
    }

    /** Deletes the contender's node if it is still the same node (same createRevision); gone already is fine. */
    CompletableFuture<ServerMessage.Reply> remove(Contender contender) {
        Command.Txn remove = new Command.Txn(List.of(fence(contender.key(), contender.token())),
                List.of(new Op.Delete(contender.key(), -1, false)), List.of());
        return calls.submit(Request.of(remove), Consistency.LINEARIZABLE, 0).thenApply(reply -> {
            if (reply.response() instanceof Response.Failure failure) {
                throw refused(reply, failure);
            }
            return reply;
        });
    }

    /**
     * Runs {@code op} on {@code key} (delete: release, resign; set: proclaim) if and only if the key
     * holds its queue with {@code token}. Checked in two steps, which is safe because a node that is
     * first stays first until it is deleted, and a deletion (or a new node at the same path) fails
     * the txn's createRevision compare.
     *
     * @return the txn's reply; fails with NO_NODE (no such key), BAD_VERSION (the key's token is not
     *         {@code token}), NOT_HOLDER (the key waits behind another), or the members' error
     */
    CompletableFuture<ServerMessage.Reply> asHolder(String key, long token, Op op) {
        check(key);
        if (key.equals(Paths.ROOT)) {
            throw GatewayException.badArguments("the root is not a lock or candidate key");
        }
        String dir = Paths.parent(key);
        Command.Txn read = new Command.Txn(List.of(), List.of(new Op.Exists(key), new Op.Children(dir, false)), List.of());
        return calls.submit(Request.of(read), Consistency.LINEARIZABLE, 0).thenCompose(reply -> {
            if (reply.response() instanceof Response.Failure failure) {
                throw failure.code() == ErrorCode.NO_NODE ? noSuchKey(key, reply.revision()) : refused(reply, failure);
            }
            List<Response> results = ((Response.TxnResult) reply.response()).results();
            Stat stat = ((Response.ExistsResult) results.get(0)).stat();
            if (stat == null) {
                throw noSuchKey(key, reply.revision());
            }
            if (stat.createRevision() != token) {
                throw new GatewayException(HttpReply.error(ErrorCode.BAD_VERSION, "token " + token + " is not the token of "
                        + Paths.describe(key) + ": it is another holder's grant, or no grant at all", reply.revision()));
            }
            List<String> queue = ordered(((Response.ChildrenResult) results.get(1)).names());
            if (!queue.isEmpty() && !queue.get(0).equals(Paths.name(key))) {
                throw new GatewayException(HttpReply.error(HttpResponseStatus.CONFLICT, NOT_HOLDER,
                        Paths.describe(key) + " does not hold " + Paths.describe(dir) + ": it waits behind "
                                + Paths.describe(Paths.child(dir, queue.get(0)))).withHeader(HttpReply.REVISION_HEADER,
                        Long.toString(reply.revision())));
            }
            Command.Txn fenced = new Command.Txn(List.of(fence(key, token)), List.of(op), List.of());
            return calls.submit(Request.of(fenced), Consistency.LINEARIZABLE, 0).thenApply(done -> {
                if (done.response() instanceof Response.Failure failure) {
                    throw refused(done, failure);
                }
                if (!((Response.TxnResult) done.response()).succeeded()) {
                    throw noSuchKey(key, done.revision());
                }
                return done;
            });
        });
    }

    /** The first of the queue in {@code dir} and its data; reads with {@code consistency}, at {@code minRevision} or later. */
    CompletableFuture<Head> head(String dir, Consistency consistency, long minRevision) {
        check(dir);
        return head(dir, consistency, minRevision, 1);
    }

    private CompletableFuture<Head> head(String dir, Consistency consistency, long minRevision, int attempt) {
        Command.Txn read = new Command.Txn(List.of(), List.of(new Op.Children(dir, false)), List.of());
        return calls.submit(Request.of(read), consistency, minRevision).thenCompose(reply -> {
            if (reply.response() instanceof Response.Failure failure) {
                if (failure.code() == ErrorCode.NO_NODE) {
                    return CompletableFuture.completedFuture(new Head(Optional.empty(), reply.revision()));
                }
                throw refused(reply, failure);
            }
            List<String> queue = ordered(((Response.ChildrenResult) ((Response.TxnResult) reply.response()).results().get(0)).names());
            if (queue.isEmpty()) {
                return CompletableFuture.completedFuture(new Head(Optional.empty(), reply.revision()));
            }
            String key = Paths.child(dir, queue.get(0));
            return calls.submit(Request.of(new Command.Execute(new Op.Get(key))), consistency, reply.revision()).thenCompose(got -> {
                if (got.response() instanceof Response.Data data) {
                    return CompletableFuture.completedFuture(new Head(Optional.of(new Holder(key, data.stat().createRevision(),
                            data.data())), got.revision()));
                }
                Response.Failure failure = (Response.Failure) got.response();
                if (failure.code() == ErrorCode.NO_NODE && attempt < LEADER_READ_ATTEMPTS_MAX) {
                    return head(dir, consistency, got.revision(), attempt + 1); // it left between the two reads
                }
                throw refused(got, failure);
            });
        });
    }

    /** The compare that holds exactly while a grant is in force: what a fenced write puts first. */
    static Compare fence(String key, long token) {
        return Compare.createRevision(key, Compare.Operator.EQUAL, token);
    }

    /** A key named by a client: a path, and one of ours ({@code prefix...}), or BAD_ARGUMENTS. */
    void checkKey(String key, String prefix, String what) {
        check(key);
        if (!Paths.name(key).startsWith(prefix) || sequenceOf(Paths.name(key)) == Long.MAX_VALUE) {
            throw GatewayException.badArguments(Paths.describe(key) + " is not " + what + " key (a node "
                    + prefix + "ID-SEQUENCE that an acquire answered with)");
        }
    }

    private void check(String path) {
        Response.Failure bad = Paths.check(path, pathLengthMax);
        if (bad != null) {
            throw new GatewayException(HttpReply.error(bad.code(), bad.message()));
        }
    }

    private static GatewayException noSuchKey(String key, long revision) {
        return new GatewayException(HttpReply.error(ErrorCode.NO_NODE, Paths.describe(key)
                + " does not exist: released or resigned already, or its session ended", revision));
    }

    static GatewayException refused(ServerMessage.Reply reply, Response.Failure failure) {
        return new GatewayException(HttpReply.error(failure.code(), failure.message(), reply.revision()));
    }
}

package io.coordinator.client.recipes;

import io.coordinator.client.ChildrenResult;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Ops;
import io.coordinator.client.TxnResult;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.client.watch.Watched;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A FIFO queue of byte arrays across processes: each item offered is taken by exactly one consumer,
 * in the order the items were offered.
 *
 * <pre>{@code
 * DistributedQueue jobs = new DistributedQueue(client, "/queues/jobs");
 * jobs.offer(bytes);                                     // producers
 * byte[] next = jobs.take();                             // consumers; or poll(Duration) -> Optional
 * }</pre>
 *
 * <h2>How it works, and why each item goes to exactly one consumer, in order</h2>
 * An item is a PERSISTENT_SEQUENTIAL node {@code item-<random>-<sequence>} in the queue's directory
 * (a container made on first use). Its sequence follows log order, so sorting by it is sorting by
 * offer. A consumer lists the queue and tries the items in that order; taking one is a transaction
 * {@code if exists(item) then get(item), delete(item)}: the item's data and its deletion
 * at one revision, so of all consumers racing for it exactly one transaction succeeds and gets the
 * data, and the others see the compare fail and try the next item. An item is thus tried (and
 * deleted) only after every item listed ahead of it was seen gone, and items offered later sort
 * after it: takes succeed in offer order, and items of one producer come out in the order it offered
 * them. (Consumers then work at their own pace, so the order in which they <em>finish</em> is theirs.)
 *
 * <p>The random part of the name makes an offer with an unknown outcome (TIMEOUT) safe to resolve:
 * the producer looks for its node by that id and offers again only if it is absent, so an item is
 * never enqueued twice. A take with an unknown outcome is different: it is tried again only while
 * its item is still there; once the item is gone this consumer may have taken it without getting
 * the reply, so the item cannot be handed to anyone and {@code take} throws the TIMEOUT rather than
 * guess. (A first attempt still in flight can also land after that check, consuming the item
 * unseen.) Either way an item never goes to two consumers: under unknown outcomes, at most once.
 *
 * <p>Waiting consumers watch the directory's children and all wake at an offer: the queue trades
 * the mutex's no-herd property for simplicity; the losers of the race only re-read.
 *
 * <h2>Sessions</h2>
 * Items are persistent and a take is one transaction, so the queue needs no session and its items
 * outlive producers and consumers. SUSPENDED: an offer or take in progress retries until the request
 * timeout (then UNAVAILABLE, nothing applied, or TIMEOUT, see above); a waiting {@code take} keeps
 * waiting, its watch moves with the client. RECONNECTED and LOST change nothing. A consumer that
 * crashes after a take loses that item: the queue hands items out at most once, and acknowledging
 * work done is the application's business.
 *
 * <p>Thread-safe.
 */
public final class DistributedQueue {
    static final String PREFIX = "item-";
    private static final int OFFER_ATTEMPTS_MAX = 5;
    private static final int TAKE_ATTEMPTS_MAX = 5;
    private static final SecureRandom IDS = new SecureRandom();

    private final Coordinator client;
    private final String path;
    private final Contender dir;

    /** @param path the queue's directory, e.g. {@code /queues/jobs}; created on first use */
    public DistributedQueue(Coordinator client, String path) {
        this.client = Objects.requireNonNull(client, "client");
        this.path = Objects.requireNonNull(path, "path");
        this.dir = new Contender(client, path);
    }

    public String path() {
        return path;
    }

    /**
     * Appends an item; it is taken after every item whose offer completed before this one began.
     *
     * @return the item's node path
     * @throws CoordinatorException TOO_LARGE, INVALID_PATH (nothing offered), UNAVAILABLE (nothing
     *                              offered), TIMEOUT after {@value #OFFER_ATTEMPTS_MAX} unknown outcomes
     */
    public String offer(byte[] data) {
        Objects.requireNonNull(data, "data");
        String prefix = PREFIX + HexFormat.of().formatHex(randomBytes()) + "-";
        String requested = dir.child(prefix);
        for (int attempt = 1; ; attempt++) {
            try {
                TxnResult result = client.txn()
                        .compare(Compare.exists(path, true))
                        .then(Ops.create(requested, data, CreateMode.PERSISTENT_SEQUENTIAL))
                        .orElse(Ops.create(path, new byte[0], CreateMode.CONTAINER),
                                Ops.create(requested, data, CreateMode.PERSISTENT_SEQUENTIAL))
                        .commit();
                return result.result(result.succeeded() ? 0 : 1, Response.Created.class).path();
            } catch (CoordinatorException e) {
                if (e.code() == ErrorCode.NO_NODE && attempt < OFFER_ATTEMPTS_MAX) {
                    dir.ensureAncestors();
                } else if (e.outcomeUnknown() && attempt < OFFER_ATTEMPTS_MAX) {
                    Optional<String> offered = find(prefix);
                    if (offered.isPresent()) {
                        return offered.get();
                    }
                } else {
                    throw e;
                }
            }
        }
    }

    private Optional<String> find(String namePrefix) {
        try {
            return client.children(path).names().stream().filter(n -> n.startsWith(namePrefix)).findFirst()
                    .map(dir::child);
        } catch (CoordinatorException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** Takes the oldest item, waiting as long as it takes for one. */
    public byte[] take() throws InterruptedException {
        return poll(Long.MAX_VALUE).orElseThrow();
    }

    /**
     * Takes the oldest item, waiting up to {@code timeout} for one.
     *
     * @return the item's data, or empty when none came in time
     * @throws CoordinatorException TIMEOUT when a take's outcome is unknown and its item is gone (see
     *                              the class comment), UNAVAILABLE when the cluster is unreachable
     */
    public Optional<byte[]> poll(Duration timeout) throws InterruptedException {
        return poll(NodeWait.deadline(timeout));
    }

    /** Takes the oldest item if there is one, without waiting. */
    public Optional<byte[]> poll() {
        Items items = list(false);
        return items == null ? Optional.empty() : takeFirst(items.children());
    }

    /** How many items are in the queue now (a linearizable read). */
    public int size() {
        Items items = list(false);
        return items == null ? 0 : items.children().names().size();
    }

    private Optional<byte[]> poll(long deadlineNanos) throws InterruptedException {
        while (true) {
            CompletableFuture<Void> changed = new CompletableFuture<>();
            WatchListener wake = new WatchListener() {
                @Override
                public void onEvents(WatchEvents events) {
                    changed.complete(null);
                }

                @Override
                public void onError(CoordinatorException error) {
                    changed.complete(null); // read and watch again
                }
            };
            Items items = list(true, wake);
            try {
                if (items == null) {
                    // No directory yet: wait for the first offer to make it.
                    if (!NodeWait.await(client, path, true, deadlineNanos, () -> { })) {
                        return Optional.empty();
                    }
                    continue;
                }
                Optional<byte[]> taken = takeFirst(items.children());
                if (taken.isPresent()) {
                    return taken;
                }
                // Empty (or every listed item taken by others): wait for the children to change.
                while (!changed.isDone()) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return Optional.empty();
                    }
                    try {
                        changed.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(NodeWait.CHECK_MILLIS)),
                                TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        // look at the deadline again
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("never completed exceptionally", e);
                    }
                }
            } finally {
                if (items != null && items.watched() != null) {
                    items.watched().watch().close();
                }
            }
        }
    }

    /** @param watched the children watch, when one was asked for */
    private record Items(ChildrenResult children, Watched<ChildrenResult> watched) {
    }

    private Items list(boolean withWatch) {
        return list(withWatch, null);
    }

    /** The items, with their stats, and optionally a children watch; null when the directory is absent. */
    private Items list(boolean withWatch, WatchListener wake) {
        try {
            if (withWatch) {
                Watched<ChildrenResult> watched = client.childrenAndWatch(path, wake);
                return new Items(watched.result(), watched);
            }
            return new Items(client.children(path), null);
        } catch (CoordinatorException.NoNodeException e) {
            return null;
        }
    }

    /** Tries the listed items oldest first; the first transaction that wins returns its data. */
    private Optional<byte[]> takeFirst(ChildrenResult children) {
        for (String name : Contender.ordered(children.names())) {
            if (name.startsWith(PREFIX)) {
                Optional<byte[]> taken = take(dir.child(name));
                if (taken.isPresent()) {
                    return taken;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Gets and deletes the item at one revision if it is still there; empty when someone else took
     * it. Existence is the check that it is the item listed: names carry a random id, so a name is
     * never reused, not even after the directory is recreated and its sequence starts over.
     */
    private Optional<byte[]> take(String item) {
        for (int attempt = 1; ; attempt++) {
            try {
                TxnResult result = client.txn()
                        .compare(Compare.exists(item, true))
                        .then(Ops.get(item), Ops.delete(item, -1))
                        .commit();
                if (!result.succeeded()) {
                    return Optional.empty();
                }
                return Optional.of(result.result(0, Response.Data.class).data());
            } catch (CoordinatorException e) {
                if (!(e.outcomeUnknown() && attempt < TAKE_ATTEMPTS_MAX && client.exists(item).isPresent())) {
                    throw e;
                }
                // Not applied: the item is still there. Try again.
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        IDS.nextBytes(bytes);
        return bytes;
    }
}

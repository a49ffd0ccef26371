package io.coordinator.client;

import io.coordinator.client.impl.ClientCore;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.client.watch.Watched;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.WatchKind;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The asynchronous view of a {@link Coordinator}: the same operations, each returning a future.
 *
 * <p>Futures complete on the client's callback executor ({@link ClientConfig#callbackExecutor()}),
 * never on its I/O thread, so a callback may block (though it then holds a callback thread). A
 * failure completes the future with a {@link CoordinatorException}. Every future completes within
 * about the request timeout. Cancelling a future does not withdraw the request.
 */
public final class AsyncCoordinator {
    private final Requests requests;
    private final WatchRequests watches;
    private final ClientCore core;

    AsyncCoordinator(Requests requests, WatchRequests watches) {
        this.requests = requests;
        this.watches = watches;
        this.core = requests.core();
    }

    public CompletableFuture<CreateResult> create(String path, byte[] data, CreateMode mode) {
        return core.deliver(requests.create(path, data, mode, 0));
    }

    /** @param ttlMillis for the {@code *_WITH_TTL} modes: how long the node may stay unmodified and childless */
    public CompletableFuture<CreateResult> create(String path, byte[] data, CreateMode mode, long ttlMillis) {
        return core.deliver(requests.create(path, data, mode, ttlMillis));
    }

    public CompletableFuture<GetResult> get(String path) {
        return get(path, Consistency.LINEARIZABLE);
    }

    /**
     * @param consistency SERIALIZABLE is served by the member locally: possibly stale, but never older
     *                    than what this client has already seen
     */
    public CompletableFuture<GetResult> get(String path, Consistency consistency) {
        return core.deliver(requests.get(path, consistency));
    }

    /** @param expectedVersion the node's current version, or -1 for any */
    public CompletableFuture<Stat> set(String path, byte[] data, int expectedVersion) {
        return core.deliver(requests.set(path, data, expectedVersion));
    }

    /** Deletes a node that has no children. @param expectedVersion the node's version, or -1 for any */
    public CompletableFuture<DeleteResult> delete(String path, int expectedVersion) {
        return delete(path, expectedVersion, false);
    }

    /** @param recursive delete the whole subtree instead of failing with NOT_EMPTY */
    public CompletableFuture<DeleteResult> delete(String path, int expectedVersion, boolean recursive) {
        return core.deliver(requests.delete(path, expectedVersion, recursive));
    }

    public CompletableFuture<Optional<Stat>> exists(String path) {
        return exists(path, Consistency.LINEARIZABLE);
    }

    public CompletableFuture<Optional<Stat>> exists(String path, Consistency consistency) {
        return core.deliver(requests.exists(path, consistency));
    }

    public CompletableFuture<ChildrenResult> children(String path) {
        return children(path, false, Consistency.LINEARIZABLE);
    }

    public CompletableFuture<ChildrenResult> children(String path, boolean withStats) {
        return children(path, withStats, Consistency.LINEARIZABLE);
    }

    public CompletableFuture<ChildrenResult> children(String path, boolean withStats, Consistency consistency) {
        return core.deliver(requests.children(path, withStats, consistency));
    }

    /** A transaction builder; finish it with {@link TxnBuilder#commitAsync()}. */
    public TxnBuilder txn() {
        return new TxnBuilder(requests);
    }

    public CompletableFuture<TxnResult> txn(Command.Txn txn) {
        return core.deliver(requests.txn(txn, Consistency.LINEARIZABLE));
    }

    /** See {@link Coordinator#watch(String, WatchKind, long, WatchListener)}; completes once a member confirmed the watch. */
    public CompletableFuture<Watch> watch(String path, WatchKind kind, long fromRevision, WatchListener listener) {
        return core.deliver(watches.watch(path, kind, fromRevision, listener));
    }

    /** See {@link Coordinator#getAndWatch(String, WatchKind, WatchListener)}. */
    public CompletableFuture<Watched<GetResult>> getAndWatch(String path, WatchKind kind, WatchListener listener) {
        return core.deliver(watches.getAndWatch(path, kind, listener));
    }

    /** See {@link Coordinator#existsAndWatch(String, WatchListener)}. */
    public CompletableFuture<Watched<Optional<Stat>>> existsAndWatch(String path, WatchListener listener) {
        return core.deliver(watches.existsAndWatch(path, listener));
    }

    /** See {@link Coordinator#childrenAndWatch(String, WatchListener)}. */
    public CompletableFuture<Watched<ChildrenResult>> childrenAndWatch(String path, WatchListener listener) {
        return core.deliver(watches.childrenAndWatch(path, listener));
    }

    /** Status of whichever member the client reaches first. */
    public CompletableFuture<MemberInfo> status() {
        return core.deliver(core.status());
    }

    /** Status of the given member, asked directly over a connection of its own. */
    public CompletableFuture<MemberInfo> status(Endpoint endpoint) {
        return core.deliver(core.status(endpoint));
    }
}

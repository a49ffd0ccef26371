package io.coordinator.client;

import io.coordinator.client.impl.ClientCore;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.Consistency;

import java.util.Optional;

/**
 * A client of a Coordinator cluster. Blocking methods here; the same operations asynchronously
 * through {@link #async()}. Thread-safe: share one instance.
 *
 * <pre>{@code
 * try (Coordinator client = Coordinator.connect("127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003")) {
 *     client.create("/app", "v1".getBytes(UTF_8), CreateMode.PERSISTENT);
 *     GetResult got = client.get("/app");
 *     client.set("/app", "v2".getBytes(UTF_8), got.stat().version());
 *     client.async().get("/app").thenAccept(r -> System.out.println(r.dataUtf8()));
 * }
 * }</pre>
 *
 * <h2>Failures and retries</h2>
 * Every failure is a {@link CoordinatorException} with its {@link io.coordinator.core.api.ErrorCode}.
 * A call that meets a lost connection, UNAVAILABLE or OVERLOADED moves to the next member and tries
 * again, with a short back-off, within the request timeout and a bounded number of attempts. Reads
 * are always retried. A write is retried after an unknown outcome (lost connection, TIMEOUT) only
 * when it carries the session's sequence, which the members de-duplicate; that is every write when
 * the client holds a session (the default). Without a session such a write fails with TIMEOUT: it
 * may or may not have been applied.
 *
 * <h2>Session</h2>
 * With {@link ClientConfig#openSession()} (the default) {@code connect} opens a session, which owns
 * the client's ephemeral nodes and is renewed every third of its TTL. If the cluster reports it
 * expired, the client turns {@link SessionState#LOST}, fails the writes under way with SESSION_EXPIRED
 * and opens a fresh session for the next write. {@link #close()} closes the session, so its
 * ephemerals go at once.
 *
 * <h2>Flow control</h2>
 * At most {@link ClientConfig#pendingRequestsMax()} calls are in flight; more calls wait in order for
 * a free slot, and fail with OVERLOADED if none frees up before their deadline.
 */
public final class Coordinator implements AutoCloseable {
    private final ClientCore core;
    private final Requests requests;
    private final AsyncCoordinator async;

    private Coordinator(ClientCore core) {
        this.core = core;
        this.requests = new Requests(core);
        this.async = new AsyncCoordinator(requests);
    }

    /** Connects with default settings to {@code "host:port,host:port,..."}. */
    public static Coordinator connect(String endpoints) {
        return connect(ClientConfig.of(endpoints));
    }

    /**
     * Connects. With sessions on, returns once a session is open, or throws a
     * {@link CoordinatorException} (usually UNAVAILABLE) when no member grants one within the request
     * timeout. Without sessions it connects on the first call.
     */
    public static Coordinator connect(ClientConfig config) {
        return new Coordinator(ClientCore.start(config));
    }

    /** The asynchronous view of this client. */
    public AsyncCoordinator async() {
        return async;
    }

    public CreateResult create(String path, byte[] data, CreateMode mode) {
        return core.await(requests.create(path, data, mode, 0));
    }

    /** @param ttlMillis for the {@code *_WITH_TTL} modes */
    public CreateResult create(String path, byte[] data, CreateMode mode, long ttlMillis) {
        return core.await(requests.create(path, data, mode, ttlMillis));
    }

    public GetResult get(String path) {
        return get(path, Consistency.LINEARIZABLE);
    }

    public GetResult get(String path, Consistency consistency) {
        return core.await(requests.get(path, consistency));
    }

    /** @param expectedVersion the node's current version, or -1 for any */
    public Stat set(String path, byte[] data, int expectedVersion) {
        return core.await(requests.set(path, data, expectedVersion));
    }

    /** Sets the data whatever the node's version. */
    public Stat set(String path, byte[] data) {
        return set(path, data, -1);
    }

    /** @param expectedVersion the node's current version, or -1 for any */
    public DeleteResult delete(String path, int expectedVersion) {
        return delete(path, expectedVersion, false);
    }

    /** @param recursive delete the whole subtree instead of failing with NOT_EMPTY */
    public DeleteResult delete(String path, int expectedVersion, boolean recursive) {
        return core.await(requests.delete(path, expectedVersion, recursive));
    }

    public Optional<Stat> exists(String path) {
        return exists(path, Consistency.LINEARIZABLE);
    }

    public Optional<Stat> exists(String path, Consistency consistency) {
        return core.await(requests.exists(path, consistency));
    }

    public ChildrenResult children(String path) {
        return children(path, false, Consistency.LINEARIZABLE);
    }

    public ChildrenResult children(String path, boolean withStats) {
        return children(path, withStats, Consistency.LINEARIZABLE);
    }

    public ChildrenResult children(String path, boolean withStats, Consistency consistency) {
        return core.await(requests.children(path, withStats, consistency));
    }

    /** A transaction builder; finish it with {@link TxnBuilder#commit()}. */
    public TxnBuilder txn() {
        return new TxnBuilder(requests);
    }

    public TxnResult txn(Command.Txn txn) {
        return core.await(requests.txn(txn, Consistency.LINEARIZABLE));
    }

    /** Status of whichever member the client reaches first. */
    public MemberInfo status() {
        return core.await(core.status());
    }

    /** Status of the given member, asked directly. */
    public MemberInfo status(Endpoint endpoint) {
        return core.await(core.status(endpoint));
    }

    /** The highest revision this client has seen in any answer; serializable reads never go below it. */
    public long lastRevision() {
        return core.revisionSeen();
    }

    /** The session now held, if any (none between LOST and the next write). */
    public Optional<SessionInfo> session() {
        return core.session();
    }

    /** The current state; null before the first connection. */
    public SessionState state() {
        return core.state();
    }

    public void addStateListener(SessionStateListener listener) {
        core.addStateListener(listener);
    }

    public void removeStateListener(SessionStateListener listener) {
        core.removeStateListener(listener);
    }

    public ClientConfig config() {
        return core.config();
    }

    /** Closes the session (its ephemerals go now), then the connection. Idempotent. */
    @Override
    public void close() {
        core.close();
    }
}

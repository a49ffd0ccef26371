package io.coordinator.client;

import io.coordinator.client.impl.ClientCore;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.client.watch.Watched;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.WatchKind;

import java.util.List;
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
 * <p>The pauses between attempts follow one policy for calls, session keep-alives and watch
 * resumption: the ceiling starts at {@link ClientConfig#retryBackoffMillis()}, doubles with every full
 * round over the members up to {@link ClientConfig#retryBackoffMillisMax()}, and each pause is drawn
 * at random from the upper half of the ceiling, so that clients that lost the same member do not
 * come back in step.
 *
 * <h2>What moves when the client leaves a member</h2>
 * A call that gets UNAVAILABLE or OVERLOADED, or hears nothing within its attempt timeout, makes the
 * client leave that member. That says nothing about the other calls in flight there, so the client
 * does not cut their connection:
 * <ul>
 * <li><b>New calls</b>, and the retries of the call that failed, go to the next member at once.</li>
 * <li><b>The session</b> moves at once: the client turns SUSPENDED, attaches the session on the next
 *     member and renews it there (RECONNECTED).</li>
 * <li><b>Calls already in flight</b> on the old connection stay: each gets the old member's answer,
 *     or ends at its own attempt timeout (then it is retried elsewhere when that is safe, see above).
 *     A write without a session in flight beside a failed read thus gets its real answer instead of
 *     TIMEOUT.</li>
 * <li>Once nothing is in flight on it (at most {@link ClientConfig#attemptTimeoutMillis()} later)
 *     the old connection closes, and only then do <b>watches</b> that lived on it resume on the
 *     current member, from the revision after the last one they received; until then they keep
 *     receiving the old member's events.</li>
 * </ul>
 * A connection that drops, by contrast, takes everything on it at once: calls in flight fail with an
 * unknown outcome (and are retried when that is safe), the session and the watches move.
 *
 * <h2>Session</h2>
 * With {@link ClientConfig#openSession()} (the default) {@code connect} opens a session, which owns
 * the client's ephemeral nodes and is renewed every third of its TTL. Only a connection the session
 * is attached to may use it: the one it was opened on, or one that proved its secret. Listeners
 * ({@link #addStateListener}) follow it through the states of {@link SessionState}:
 * <ul>
 * <li>When the connection drops the client is {@link SessionState#SUSPENDED} at once. It connects to
 *     the next member, re-attaches the same session there before any of its pending requests goes
 *     out (they then retry with their sequence, so none is applied twice), and renews it right away;
 *     that makes it {@link SessionState#RECONNECTED}.</li>
 * <li>It is {@link SessionState#LOST} when the cluster reports it expired, or when no keep-alive has
 *     succeeded for a whole TTL (measured from the start of the last successful one, so the client
 *     gives up no later than the cluster could expire it). From then on the client never uses it:
 *     writes under way fail with SESSION_EXPIRED (TIMEOUT if an earlier attempt may have been
 *     applied), and a session given up by the client is also closed on the cluster, best effort.</li>
 * <li>The next write that needs a session opens a fresh one, and listeners hear
 *     {@link SessionState#CONNECTED}: LOST then CONNECTED means "new session, it owns nothing; redo
 *     your ephemerals and locks", while RECONNECTED always means "the same session". (Curator reports
 *     RECONNECTED in both cases.)</li>
 * </ul>
 * {@link #close()} closes the session, so its ephemerals go at once. Sessions that this client does
 * not keep alive (leases for scripts, or to hand to another process, as with etcd's lease API) are
 * granted with {@link #grantSession} and handled with {@link #keepAliveSession},
 * {@link #checkSession} and {@link #closeSession}.
 *
 * <h2>Watches</h2>
 * {@link #watch} follows a path (one-shot DATA, EXISTS, CHILDREN as in ZooKeeper; PERSISTENT; or
 * PERSISTENT_RECURSIVE for a subtree) from a revision: 0 for now, or a past one that the member
 * replays from its history (COMPACTED when the history no longer reaches it). The listener hears
 * each revision's matching events together, in revision order, on the callback executor. A watch
 * lives on the client's connection; when the client moves to another member it starts the watch
 * there from the revision after the last one it received, so nothing is missed or repeated. An
 * event reaches the watch before any answer of a later revision on the same connection completes:
 * after a write returns, {@link Watch#lastRevision()} of a watch it matches is at least its revision.
 * {@link #getAndWatch}, {@link #existsAndWatch} and {@link #childrenAndWatch} read and then watch
 * from the read's revision + 1, so no change in between slips through.
 *
 * <h2>Flow control</h2>
 * At most {@link ClientConfig#pendingRequestsMax()} calls are in flight; more calls wait in order for
 * a free slot, and fail with OVERLOADED if none frees up before their deadline.
 */
public final class Coordinator implements AutoCloseable {
    private final ClientCore core;
    private final Requests requests;
    private final WatchRequests watchRequests;
    private final AsyncCoordinator async;

    private Coordinator(ClientCore core) {
        this.core = core;
        this.requests = new Requests(core);
        this.watchRequests = new WatchRequests(requests);
        this.async = new AsyncCoordinator(requests, watchRequests);
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

    /**
     * Creates the node after creating whichever of its ancestors are missing, each persistent and empty
     * (Curator's {@code creatingParentsIfNeeded}). Not atomic: an ancestor made here stays if the node's
     * own create fails, and one that someone else creates meanwhile is taken as it is.
     *
     * @param ttlMillis for the {@code *_WITH_TTL} modes, else 0
     */
    public CreateResult createWithParents(String path, byte[] data, CreateMode mode, long ttlMillis) {
        for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
            try {
                create(path.substring(0, slash), new byte[0], CreateMode.PERSISTENT);
            } catch (CoordinatorException.NodeExistsException exists) {
                // there already, or made by someone else meanwhile: either way it is there
            }
        }
        return create(path, data, mode, ttlMillis);
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

    /**
     * Watches {@code path}: the listener hears every matching event of {@code fromRevision} and later,
     * each revision once, in order, nothing skipped, also across moves to other members. Returns once
     * a member confirmed the watch.
     *
     * @param fromRevision 0 for "from now" (the member's next revision); a past revision replays the
     *                     member's history from it (COMPACTED if the history no longer reaches it)
     * @throws CoordinatorException COMPACTED ({@link io.coordinator.client.watch.WatchCompactedException}),
     *                              TOO_LARGE (the connection holds the most watches a member allows),
     *                              INVALID_PATH, BAD_ARGUMENTS (a revision no member reached), ...
     */
    public Watch watch(String path, WatchKind kind, long fromRevision, WatchListener listener) {
        return core.await(watchRequests.watch(path, kind, fromRevision, listener));
    }

    /** Watches {@code path} from now. */
    public Watch watch(String path, WatchKind kind, WatchListener listener) {
        return watch(path, kind, 0, listener);
    }

    /**
     * Reads the node and sets a one-shot DATA watch from the revision after the read (ZooKeeper's
     * {@code getData} with a watch): it fires on the next change or deletion, even one that happened
     * between the read and the watch. Throws NO_NODE (and sets no watch) when the node is missing.
     */
    public Watched<GetResult> getAndWatch(String path, WatchListener listener) {
        return getAndWatch(path, WatchKind.DATA, listener);
    }

    /** Reads the node, then watches it with {@code kind} (PERSISTENT for a live copy, say) from the revision after the read. */
    public Watched<GetResult> getAndWatch(String path, WatchKind kind, WatchListener listener) {
        return core.await(watchRequests.getAndWatch(path, kind, listener));
    }

    /** Whether the node exists, and a one-shot EXISTS watch from the revision after that answer (set either way). */
    public Watched<Optional<Stat>> existsAndWatch(String path, WatchListener listener) {
        return core.await(watchRequests.existsAndWatch(path, listener));
    }

    /** The children, and a one-shot CHILDREN watch from the revision after the read. NO_NODE sets no watch. */
    public Watched<ChildrenResult> childrenAndWatch(String path, WatchListener listener) {
        return core.await(watchRequests.childrenAndWatch(path, listener));
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

    /**
     * Opens a session this client neither renews nor closes: the caller (or whoever it hands the id
     * and secret to) keeps it alive with {@link #keepAliveSession} and ends it with
     * {@link #closeSession}; otherwise it expires after its TTL.
     *
     * @throws CoordinatorException BAD_ARGUMENTS when the TTL is outside the members' bounds
     */
    public SessionGrant grantSession(long ttlMillis) {
        Response.SessionOpened opened = core.await(core.grantSession(ttlMillis));
        return new SessionGrant(opened.sessionId(), opened.secret(), opened.ttlMillis());
    }

    /**
     * Renews the given session once, as of now: attaches it to the connection (proving the secret),
     * then keeps it alive.
     *
     * @throws CoordinatorException SESSION_EXPIRED when it is unknown, closed or expired; UNAUTHORIZED
     *                              for a wrong secret
     */
    public void keepAliveSession(long sessionId, long secret) {
        Response response = core.await(core.forSession(sessionId, secret,
                new Command.KeepAlive(List.of(sessionId)))).response();
        if (response instanceof Response.KeptAlive kept && kept.renewed() == 0) {
            throw CoordinatorException.of(ErrorCode.SESSION_EXPIRED,
                    "session " + sessionId + " is not alive");
        }
    }

    /**
     * Ends the given session now; its ephemerals go in one revision.
     *
     * @throws CoordinatorException SESSION_EXPIRED when it is already gone; UNAUTHORIZED for a wrong secret
     */
    public void closeSession(long sessionId, long secret) {
        core.await(core.forSession(sessionId, secret, new Command.CloseSession(sessionId, secret)));
    }

    /**
     * Whether the given session is alive and the secret is its own, as of a linearizable read; renews
     * nothing.
     *
     * @throws CoordinatorException SESSION_EXPIRED when it is unknown, closed or expired; UNAUTHORIZED
     *                              for a wrong secret
     */
    public SessionInfo checkSession(long sessionId, long secret) {
        Response response = core.await(core.read(new Command.CheckSession(sessionId, secret),
                Consistency.LINEARIZABLE)).response();
        if (response instanceof Response.SessionChecked checked) {
            return new SessionInfo(checked.sessionId(), checked.ttlMillis());
        }
        throw CoordinatorException.of(ErrorCode.MALFORMED, "CheckSession was answered with " + response);
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

package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Ops;
import io.coordinator.client.SessionState;
import io.coordinator.client.SessionStateListener;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.WatchKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The caller's term as leader, from {@link LeaderElection#campaign}. It ends once, for good, with a
 * {@link Reason} on {@link #revoked()}: the moment that future completes the caller may no longer act
 * as leader. Fenced writes ({@link #fence()}) are refused from the moment the node is gone, whatever
 * the caller knows. To lead again, campaign again.
 */
public final class Leadership {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    /** Why a term ended. */
    public enum Reason {
        /** {@link #resign()} was called. */
        RESIGNED,
        /** The connection was lost for longer than the election's grace; the session may be alive. */
        SUSPENDED,
        /** The session is gone (expired, closed, or given up by the client): its node goes with it. */
        SESSION_LOST,
        /**
         * The leader's node was deleted while the client still held its session: by someone else, or
         * by the session's own close heard before the client let go of it.
         */
        NODE_DELETED
    }

    private final Coordinator client;
    private final QueueNode node;
    private final Contender contender;
    private final Duration suspendedGrace;
    private final CompletableFuture<Reason> revoked = new CompletableFuture<>();
    private final AtomicLong stateChanges = new AtomicLong();
    private final SessionStateListener stateListener = this::stateChanged;
    private volatile Watch nodeWatch;

    Leadership(Coordinator client, QueueNode node, Contender contender, Duration suspendedGrace) {
        this.client = client;
        this.node = node;
        this.contender = contender;
        this.suspendedGrace = suspendedGrace;
    }

    /** Starts following the session and the node; called once, right after winning. */
    void start() {
        client.addStateListener(stateListener);
        try {
            nodeWatch = client.watch(node.path(), WatchKind.PERSISTENT, node.createRevision() + 1, new WatchListener() {
                @Override
                public void onEvents(WatchEvents events) {
                    for (WatchEvent event : events.events()) {
                        if (event.type() == WatchEvent.Type.DELETED) {
                            revoke(contender.sessionHolds(node) ? Reason.NODE_DELETED : Reason.SESSION_LOST);
                        }
                    }
                }

                @Override
                public void onError(CoordinatorException error) {
                    // It cannot be followed any more: only a conservative end is safe.
                    revoke(Reason.NODE_DELETED);
                }
            });
        } catch (CoordinatorException e) {
            revoke(Reason.SUSPENDED);
        }
        // A state change before the listener was added is seen here.
        SessionState now = client.state();
        if (now == SessionState.SUSPENDED || !contender.sessionHolds(node)) {
            stateChanged(now == SessionState.SUSPENDED ? now : SessionState.LOST);
        }
    }

    private void stateChanged(SessionState state) {
        long change = stateChanges.incrementAndGet();
        if (revoked.isDone()) {
            // Over already; what is left is stepping aside, retried when the same session is back.
            if (state == SessionState.LOST || (state == SessionState.CONNECTED && !contender.sessionHolds(node))) {
                client.removeStateListener(stateListener);
            } else if (state == SessionState.RECONNECTED) {
                stepAside();
            }
            return;
        }
        if (state == SessionState.LOST || (state == SessionState.CONNECTED && !contender.sessionHolds(node))) {
            revoke(Reason.SESSION_LOST);
        } else if (state == SessionState.SUSPENDED) {
            if (suspendedGrace.isZero()) {
                revoke(Reason.SUSPENDED);
            } else {
                CompletableFuture.delayedExecutor(suspendedGrace.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
                    if (stateChanges.get() == change && client.state() == SessionState.SUSPENDED) {
                        revoke(Reason.SUSPENDED);
                    }
                });
            }
        }
    }

    private void revoke(Reason reason) {
        if (!revoked.complete(reason)) {
            return;
        }
        log.info("leadership of {} (token {}) ended: {}", node.path(), node.createRevision(), reason);
        Watch watch = nodeWatch;
        if (watch != null) {
            watch.close();
        }
        if (reason == Reason.SUSPENDED) {
            // Step aside so that the next candidate leads rather than wait for the session to end.
            // The client retries this across members within its request timeout; if the cut lasts
            // longer, the listener tries again on RECONNECTED, and the node goes with the session
            // at the latest.
            stepAside();
        } else {
            client.removeStateListener(stateListener);
        }
    }

    private void stepAside() {
        client.async().txn()
                .compare(Compare.createRevision(node.path(), Compare.Operator.EQUAL, node.createRevision()))
                .then(Ops.delete(node.path(), -1))
                .commitAsync()
                .whenComplete((r, e) -> {
                    if (e == null) {
                        client.removeStateListener(stateListener);
                    } else {
                        log.info("could not remove {} yet after leadership ended: {}", node.path(), e.toString());
                    }
                });
    }

    /** The candidate node that stands for this term. */
    public String nodePath() {
        return node.path();
    }

    /** The term's fencing token: larger than every earlier leader's of this election. */
    public long token() {
        return node.createRevision();
    }

    /** True until the term ends (the client's own view: see {@link #revoked()}). */
    public boolean isLeader() {
        return !revoked.isDone() && contender.sessionHolds(node);
    }

    /**
     * Completes, with the reason, the moment the caller may no longer act as leader: on resign, on
     * SUSPENDED past the election's grace, on LOST, or when its node is deleted. Completes at most once
     * and never fails. Callbacks run on the thread that noticed (a client callback thread): keep them short.
     */
    public CompletableFuture<Reason> revoked() {
        return revoked.copy();
    }

    /** Guards writes with this term's token. */
    public Fence fence() {
        return new Fence(client, node.path(), node.createRevision());
    }

    /**
     * Publishes a new value as leader (observers see it), fenced by this term.
     *
     * @throws FencingException when the term is over on the cluster (nothing written)
     */
    public void proclaim(byte[] value) {
        if (revoked.isDone()) {
            throw new FencingException(node.path(), node.createRevision(), 0);
        }
        fence().set(node.path(), value, -1);
    }

    /** Ends the term and steps aside: the next candidate in line becomes leader. Idempotent. */
    public void resign() {
        if (revoked.complete(Reason.RESIGNED)) {
            client.removeStateListener(stateListener);
            Watch watch = nodeWatch;
            if (watch != null) {
                watch.close();
            }
            contender.remove(node);
        }
    }

    @Override
    public String toString() {
        return "Leadership[" + node.path() + " token=" + node.createRevision()
                + (revoked.isDone() ? " ended " + revoked.join() : "") + "]";
    }
}

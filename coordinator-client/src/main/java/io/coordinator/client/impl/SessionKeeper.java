package io.coordinator.client.impl;

import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Opens the client's session, renews it every third of its TTL, follows it from member to member,
 * and gives it up when it is lost.
 *
 * <p><b>Moves.</b> When the connection drops the client is SUSPENDED and a keep-alive starts at once:
 * it connects to the next member, attaches the session there (every call of the session waits for
 * that attach, see {@link SessionAttachments}), and renews it. Its success makes the client
 * RECONNECTED with the same session. The keep-alive keeps trying, member after member, until the
 * session would be lost.
 *
 * <p><b>Lost.</b> Either the cluster says so (SESSION_EXPIRED, or a keep-alive that renewed nothing),
 * or no renewal has succeeded for a whole TTL. A renewal started at {@code t} was stamped by the
 * leader at {@code t} or later, so the cluster cannot expire the session before {@code t + ttl}: the
 * client gives it up at (the start of its newest successful renewal) + ttl, no later than the
 * cluster could have. An attach proves the session alive but renews nothing, so it does not count;
 * the keep-alive right behind it does. Once lost, the session is never used again: the writes under
 * way fail with SESSION_EXPIRED, and a client-side verdict also closes the session on the cluster,
 * best effort, so that its ephemerals and locks go now rather than when the cluster notices.
 *
 * <p>A fresh session is opened lazily, by the next write that needs one: after LOST the caller must
 * redo whatever the old session owned (ephemerals, locks), so nothing is renewed behind its back.
 *
 * <p>A repeated OpenSession (after a lost answer) may leave an unused session behind; it expires
 * after its TTL. A repeated KeepAlive or CloseSession is harmless.
 */
final class SessionKeeper {
    private static final Logger log = LoggerFactory.getLogger(SessionKeeper.class);

    private final Invoker invoker;
    private final StateTracker states;
    private final long ttlMillis;
    private final long requestTimeoutMillis;
    private CompletableFuture<Session> current;
    private ScheduledFuture<?> keepAliveTimer;
    private ScheduledFuture<?> lostTimer;
    /** When the newest successful renewal of the held session (or its open) started, in nanoTime. */
    private long renewedFromNanos;
    private boolean keepAliveInFlight;
    private boolean closing;

    SessionKeeper(Invoker invoker, StateTracker states, long ttlMillis, long requestTimeoutMillis) {
        this.invoker = invoker;
        this.states = states;
        this.ttlMillis = ttlMillis;
        this.requestTimeoutMillis = requestTimeoutMillis;
        invoker.onSessionExpired(this::expired);
    }

    /** The live session, opening one if there is none. */
    synchronized CompletableFuture<Session> current() {
        if (closing) {
            return CompletableFuture.failedFuture(CoordinatorException.of(ErrorCode.UNAVAILABLE, "client is closed"));
        }
        if (current == null || (current.isDone() && (current.isCompletedExceptionally() || current.join().expired))) {
            current = open();
        }
        return current;
    }

    /** The live session, if one is open right now. */
    synchronized Session openSession() {
        Session held = held();
        return held == null || held.expired ? null : held;
    }

    /** Must hold the lock. The session this keeper opened last, expired or not; null while opening. */
    private Session held() {
        return current != null && current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
    }

    private CompletableFuture<Session> open() {
        long startNanos = System.nanoTime();
        Call call = invoker.create(new Command.OpenSession(ttlMillis, 0), Consistency.LINEARIZABLE,
                Call.Safety.IDEMPOTENT, requestTimeoutMillis);
        invoker.admit(call);
        return call.result.thenApply(answer -> {
            Response response = answer.message() instanceof ServerMessage.Reply reply ? reply.response() : null;
            if (!(response instanceof Response.SessionOpened opened)) {
                throw CoordinatorException.of(ErrorCode.MALFORMED, "OpenSession was answered with " + answer.message());
            }
            Session session = new Session(opened.sessionId(), opened.secret(), opened.ttlMillis());
            log.info("opened {} with ttl {} ms on {}", session, session.ttlMillis, answer.endpoint());
            synchronized (this) {
                renewedFromNanos = startNanos;
            }
            scheduleKeepAlive(session);
            armLostTimer(session);
            states.sessionOpened();
            if (System.nanoTime() - startNanos >= TimeUnit.MILLISECONDS.toNanos(keepAliveIntervalMillis(session))) {
                // The open itself took a keep-alive interval or more (a cold JVM, a loaded host), and
                // the lease is counted from its start: renew now, not an interval from now, or the
                // session would be given up before its first renewal was even sent.
                keepAlive(session);
            }
            return session;
        });
    }

    private static long keepAliveIntervalMillis(Session session) {
        return Math.max(1, session.ttlMillis / 3);
    }

    /** Must hold the lock. Time left before the client gives the session up, rounded up. */
    private long millisUntilLost(Session session, long nowNanos) {
        long leftNanos = renewedFromNanos + TimeUnit.MILLISECONDS.toNanos(session.ttlMillis) - nowNanos;
        return leftNanos <= 0 ? 0 : (leftNanos + 999_999) / 1_000_000;
    }

    private void scheduleKeepAlive(Session session) {
        synchronized (this) {
            if (closing || session.expired) {
                return;
            }
            if (keepAliveTimer != null) {
                keepAliveTimer.cancel(false);
            }
            keepAliveTimer = invoker.transport().schedule(() -> {
                keepAlive(session);
                scheduleKeepAlive(session);
            }, keepAliveIntervalMillis(session));
        }
    }

    /**
     * Renews the session now, unless a renewal is already under way. The renewal tries member after
     * member until it succeeds or the session would be lost; no attempt waits longer than a keep-alive
     * interval for a silent member.
     */
    void keepAlive(Session session) {
        long startNanos = System.nanoTime();
        long untilLostMillis;
        synchronized (this) {
            if (closing || session.expired || keepAliveInFlight) {
                return;
            }
            keepAliveInFlight = true;
            untilLostMillis = millisUntilLost(session, startNanos);
        }
        Call call = invoker.create(new Command.KeepAlive(List.of(session.id)), Consistency.LINEARIZABLE,
                Call.Safety.IDEMPOTENT, Math.max(1, untilLostMillis));
        call.session = session;
        call.attemptTimeoutMillis = keepAliveIntervalMillis(session);
        invoker.admit(call);
        call.result.whenComplete((answer, error) -> {
            synchronized (this) {
                keepAliveInFlight = false;
            }
            if (error != null) {
                CoordinatorException e = ClientCore.unwrap(error);
                if (e.code() == ErrorCode.SESSION_EXPIRED) {
                    expired(session, e.detail());
                } else {
                    log.debug("keep-alive of {} failed: {}", session, e.getMessage());
                }
                return;
            }
            Response response = answer.message() instanceof ServerMessage.Reply reply ? reply.response() : null;
            if (response instanceof Response.KeptAlive kept && kept.renewed() == 0) {
                expired(session, "the cluster no longer knows " + session);
            } else {
                renewed(session, startNanos);
            }
        });
    }

    private void renewed(Session session, long startNanos) {
        synchronized (this) {
            if (closing || session.expired) {
                return;
            }
            renewedFromNanos = Math.max(renewedFromNanos, startNanos);
        }
        armLostTimer(session);
        states.sessionConfirmed();
    }

    /** (Re)arms the client-side verdict for the newest renewal. */
    private void armLostTimer(Session session) {
        synchronized (this) {
            if (closing || session.expired) {
                return;
            }
            if (lostTimer != null) {
                lostTimer.cancel(false);
            }
            long delayMillis = millisUntilLost(session, System.nanoTime());
            lostTimer = invoker.transport().schedule(() -> lostTimerFired(session), delayMillis);
        }
    }

    private void lostTimerFired(Session session) {
        synchronized (this) {
            if (closing || session.expired) {
                return;
            }
            if (millisUntilLost(session, System.nanoTime()) > 0) {
                // A renewal landed while this timer was on its way.
                lostTimer = invoker.transport().schedule(() -> lostTimerFired(session),
                        millisUntilLost(session, System.nanoTime()));
                return;
            }
        }
        if (end(session, "no keep-alive succeeded for a whole ttl of " + session.ttlMillis + " ms")) {
            closeOnCluster(session);
        }
    }

    /** A connection came up: if the session lives, attach and renew it there at once. */
    void connectionUp() {
        Session session = openSession();
        if (session != null) {
            keepAlive(session);
        }
    }

    /** The connection dropped: SUSPENDED, and a keep-alive starts moving the session to another member. */
    void connectionLost() {
        synchronized (this) {
            if (closing) {
                return;
            }
        }
        states.connectionLost();
        Session session = openSession();
        if (session != null) {
            keepAlive(session);
        }
    }

    /** The cluster's verdict: the session is unknown, closed or expired. */
    private void expired(Session session, String message) {
        end(session, message);
    }

    /** Gives the held session up, once. @return false if it was not held or already given up */
    private boolean end(Session session, String message) {
        synchronized (this) {
            if (closing) {
                // The client is closing it anyway: no verdict for the listeners.
                session.expired = true;
                return false;
            }
            if (session.expired || held() != session) {
                // Another session (a lease the caller handles itself, say) or one already given up.
                return false;
            }
            session.expired = true;
            if (keepAliveTimer != null) {
                keepAliveTimer.cancel(false);
                keepAliveTimer = null;
            }
            if (lostTimer != null) {
                lostTimer.cancel(false);
                lostTimer = null;
            }
        }
        log.warn("{} lost: {}", session, message);
        // LOST first: whoever sees a write fail because of it then sees the state too.
        states.sessionLost();
        invoker.abortSessionCalls(session, session + " lost: " + message);
        return true;
    }

    /** Best effort: the client no longer uses the session, so let the cluster drop it now. */
    private void closeOnCluster(Session session) {
        Call call = invoker.create(new Command.CloseSession(session.id, session.secret), Consistency.LINEARIZABLE,
                Call.Safety.IDEMPOTENT, Math.max(1, session.ttlMillis));
        call.session = session;
        invoker.admit(call);
        call.result.whenComplete((answer, error) -> log.info("closing abandoned {} on the cluster: {}", session,
                error == null ? "done" : ClientCore.unwrap(error).getMessage()));
    }

    /**
     * Stops renewing and, if a session is open, closes it on the cluster so that its ephemerals go
     * now rather than after the TTL. Completes when the member answered or the deadline passed.
     */
    CompletableFuture<Void> close() {
        Session session;
        synchronized (this) {
            session = openSession();
            closing = true;
            if (keepAliveTimer != null) {
                keepAliveTimer.cancel(false);
                keepAliveTimer = null;
            }
            if (lostTimer != null) {
                lostTimer.cancel(false);
                lostTimer = null;
            }
        }
        if (session == null) {
            return CompletableFuture.completedFuture(null);
        }
        Call call = invoker.create(new Command.CloseSession(session.id, session.secret), Consistency.LINEARIZABLE,
                Call.Safety.IDEMPOTENT, requestTimeoutMillis);
        call.session = session;
        invoker.admit(call);
        return call.result.handle((answer, error) -> {
            if (error != null) {
                log.info("closing {} failed ({}); it will expire after its TTL", session, error.getMessage());
            } else {
                log.info("closed {}", session);
            }
            session.expired = true;
            return null;
        });
    }
}

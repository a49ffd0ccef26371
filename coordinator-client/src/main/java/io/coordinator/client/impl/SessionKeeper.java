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

/**
 * Opens the client's session, renews it every third of its TTL, and replaces it after the cluster
 * reports it expired. A fresh session is opened lazily, by the next write that needs one: after LOST
 * the caller must redo whatever the old session owned (ephemerals, locks), so nothing is renewed
 * behind its back.
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
        if (current != null && current.isDone() && !current.isCompletedExceptionally() && !current.join().expired) {
            return current.join();
        }
        return null;
    }

    private CompletableFuture<Session> open() {
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
            scheduleKeepAlive(session);
            states.sessionOpened();
            return session;
        });
    }

    private long keepAliveIntervalMillis(Session session) {
        return Math.max(1, session.ttlMillis / 3);
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

    /** Renews the session now, unless a renewal is already under way. */
    void keepAlive(Session session) {
        synchronized (this) {
            if (closing || session.expired || keepAliveInFlight) {
                return;
            }
            keepAliveInFlight = true;
        }
        Call call = invoker.create(new Command.KeepAlive(List.of(session.id)), Consistency.LINEARIZABLE,
                Call.Safety.IDEMPOTENT, keepAliveIntervalMillis(session));
        invoker.admit(call);
        call.result.whenComplete((answer, error) -> {
            synchronized (this) {
                keepAliveInFlight = false;
            }
            if (error != null) {
                if (error instanceof CoordinatorException e && e.code() == ErrorCode.SESSION_EXPIRED) {
                    expired(session, e.detail());
                } else {
                    log.debug("keep-alive of {} failed: {}", session, error.getMessage());
                }
                return;
            }
            Response response = answer.message() instanceof ServerMessage.Reply reply ? reply.response() : null;
            if (response instanceof Response.KeptAlive kept && kept.renewed() == 0) {
                expired(session, "the cluster no longer knows " + session);
            } else {
                states.sessionConfirmed();
            }
        });
    }

    /** A connection came up: if the session lives, confirm it at once rather than at the next tick. */
    void connectionUp() {
        Session session = openSession();
        if (session != null) {
            keepAlive(session);
        }
    }

    private void expired(Session session, String message) {
        synchronized (this) {
            if (session.expired) {
                return;
            }
            session.expired = true;
            if (keepAliveTimer != null) {
                keepAliveTimer.cancel(false);
                keepAliveTimer = null;
            }
        }
        log.warn("{} expired: {}", session, message);
        invoker.abortSessionCalls(session, session + " expired: " + message);
        states.sessionLost();
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
        }
        if (session == null) {
            return CompletableFuture.completedFuture(null);
        }
        Call call = invoker.create(new Command.CloseSession(session.id, session.secret), Consistency.LINEARIZABLE,
                Call.Safety.IDEMPOTENT, requestTimeoutMillis);
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

package io.coordinator.client.impl;

import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request from submission to its single outcome, across attempts on several members.
 *
 * <p>The retry rule: an attempt that certainly applied nothing (no connection, a frame that never
 * left, UNAVAILABLE, OVERLOADED) is retried on the next member. An attempt with an unknown outcome
 * (connection lost after sending, TIMEOUT, a silent member) is retried only when a retry cannot apply
 * the command twice: reads and idempotent session commands, and writes stamped with a session
 * sequence, which the member de-duplicates. A plain write then fails with TIMEOUT. Every other code
 * is the answer. Attempts are bounded by count and by the deadline.
 *
 * <p>Locking: state changes happen under this object's lock; nothing is called out (connector,
 * invoker, futures) while holding it.
 */
final class Call {
    private static final Logger log = LoggerFactory.getLogger(Call.class);

    /** How safe it is to send the command again when the outcome of an attempt is unknown. */
    enum Safety {
        /** Reads, and session commands whose repetition is harmless. */
        IDEMPOTENT,
        /** A write with (sessionId, sequence): the member applies it at most once. */
        SEQUENCED,
        /** A write without a session: a retry could apply it twice. */
        UNSEQUENCED
    }

    private enum State { CREATED, QUEUED, RUNNING, DONE }

    final Command.ClientCommand command;
    final Safety safety;
    private final Consistency consistency;
    private final Invoker invoker;
    private final long startNanos;
    private final long deadlineNanos;
    final CompletableFuture<Answer> result = new CompletableFuture<>();

    /**
     * The session the call acts for, set before admission: always for SEQUENCED calls (it supplies
     * the sequence), and for the session's own upkeep (KeepAlive, CloseSession). The member takes
     * such a call only on a connection the session is attached to, so each attempt attaches it first
     * if its connection has not (see {@link SessionAttachments}).
     */
    volatile Session session;
    /** A bound for each attempt instead of the configured one; 0 for the configured one. Set before admission. */
    volatile long attemptTimeoutMillis;
    /** Drawn by the invoker under its admission lock when the call gets a slot. */
    long sequence;
    /** Written under the invoker's admission lock. */
    boolean admitted;

    private volatile State state = State.CREATED;
    private byte[] payload;
    private int attempts;
    private ErrorCode lastCode;
    private String lastMessage = "";
    private boolean outcomeUnknown;
    private Connection connection;
    private long requestId;
    /** The current attempt's request has gone out (not just its session's attach). */
    private boolean sent;
    /** The call already attached its session again after the member refused it as not attached. */
    private boolean reattached;
    private ScheduledFuture<?> attemptTimer;
    private ScheduledFuture<?> deadlineTimer;

    /** @param command null for a status query */
    Call(Invoker invoker, Command.ClientCommand command, Consistency consistency, Safety safety, long timeoutMillis) {
        this.invoker = invoker;
        this.command = command;
        this.consistency = consistency == null ? Consistency.LINEARIZABLE : consistency;
        this.safety = safety;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    void armDeadline() {
        ScheduledFuture<?> timer = schedule(this::deadlinePassed, remainingMillis());
        if (timer == null) {
            return;
        }
        synchronized (this) {
            deadlineTimer = timer;
        }
    }

    boolean isDone() {
        return state == State.DONE;
    }

    /**
     * True when a lost answer leaves the caller not knowing whether the command took effect. Session
     * upkeep is a write too, but repeating it is harmless, so its outcome never counts as unknown.
     */
    boolean outcomeMatters() {
        return safety != Safety.IDEMPOTENT && command != null && command.isWrite();
    }

    synchronized void queued() {
        if (state == State.CREATED) {
            state = State.QUEUED;
        }
    }

    /** Called once the call holds a slot (and, for SEQUENCED, its sequence). Runs the first attempt. */
    void begin() {
        synchronized (this) {
            if (state == State.DONE) {
                return;
            }
            state = State.RUNNING;
        }
        if (remainingMillis() <= 0) {
            finish(null, CoordinatorException.of(ErrorCode.OVERLOADED, "a slot among "
                    + invoker.config().pendingRequestsMax() + " pending requests freed up only at the deadline"));
            return;
        }
        ClientMessage message;
        if (command == null) {
            message = new ClientMessage.StatusQuery();
        } else {
            Request request = safety == Safety.SEQUENCED
                    ? new Request(session.id, sequence, command)
                    : Request.of(command);
            message = new ClientMessage.Call(request, consistency, invoker.revisionSeen());
        }
        byte[] bytes = Codec.smile().encode(message);
        if (bytes.length + Frame.HEADER_BYTES > invoker.frameBytesMax()) {
            finish(null, CoordinatorException.of(ErrorCode.TOO_LARGE, "request of " + bytes.length
                    + " bytes is over the frame limit of " + invoker.frameBytesMax()));
            return;
        }
        synchronized (this) {
            payload = bytes;
        }
        attempt();
    }

    private void attempt() {
        int attemptNo;
        synchronized (this) {
            if (state == State.DONE) {
                return;
            }
            attemptNo = ++attempts;
        }
        if (invoker.isClosed()) {
            abortClosed();
            return;
        }
        Connector.Slot slot = invoker.connector().acquire();
        slot.whenReady((conn, error) -> {
            if (error != null) {
                failed(attemptNo, slot, false, ErrorCode.UNAVAILABLE, rootMessage(error));
            } else {
                send(attemptNo, slot, conn);
            }
        });
    }

    private void send(int attemptNo, Connector.Slot slot, Connection conn) {
        long id = invoker.nextRequestId();
        synchronized (this) {
            if (state == State.DONE || attemptNo != attempts) {
                return;
            }
            connection = conn;
            requestId = id;
            sent = false;
        }
        long remaining = remainingMillis();
        long own = attemptTimeoutMillis;
        long attemptTimeout = own > 0 ? own : invoker.config().attemptTimeoutMillis();
        if (attemptTimeout < remaining) {
            // Past the deadline the deadline timer decides; this one only catches a silent member early.
            ScheduledFuture<?> timer = schedule(
                    () -> attemptTimedOut(attemptNo, slot, conn, id, attemptTimeout), attemptTimeout);
            if (timer == null) {
                return;
            }
            synchronized (this) {
                if (attemptNo == attempts && state != State.DONE) {
                    attemptTimer = timer;
                } else {
                    timer.cancel(false);
                }
            }
        }
        Session s = session;
        if (s == null || command == null) {
            transmit(attemptNo, slot, conn, id);
            return;
        }
        slot.attachments.whenAttached(s, conn, invoker, failure -> {
            if (failure == null) {
                transmit(attemptNo, slot, conn, id);
            } else {
                attachFailed(attemptNo, slot, failure);
            }
        });
    }

    private void transmit(int attemptNo, Connector.Slot slot, Connection conn, long id) {
        byte[] bytes;
        synchronized (this) {
            if (state == State.DONE || attemptNo != attempts) {
                return;
            }
            sent = true;
            bytes = payload;
        }
        conn.send(id, bytes).whenComplete((message, error) -> {
            if (error instanceof ConnectionLostException lost) {
                failed(attemptNo, slot, lost.requestSent(), lost.requestSent() ? ErrorCode.TIMEOUT : ErrorCode.UNAVAILABLE,
                        lost.getMessage());
            } else if (error != null) {
                finish(null, new CoordinatorException(ErrorCode.MALFORMED, "cannot send: " + error, error));
            } else {
                answered(attemptNo, slot, conn, message);
            }
        });
    }

    private void answered(int attemptNo, Connector.Slot slot, Connection conn, ServerMessage message) {
        if (message instanceof ServerMessage.Reply reply) {
            invoker.observeRevision(reply.revision());
            if (reply.response() instanceof Response.SessionOpened opened) {
                // The member attached the session to the connection that opened it.
                slot.attachments.opened(opened.sessionId(), opened.secret());
            }
            if (reply.response() instanceof Response.Failure failure) {
                failedWith(attemptNo, slot, failure.code(), failure.message());
            } else {
                finish(new Answer(conn.endpoint(), message), null);
            }
        } else if (message instanceof ServerMessage.StatusReply) {
            finish(new Answer(conn.endpoint(), message), null);
        } else if (message instanceof ServerMessage.ProtocolError error) {
            failedWith(attemptNo, slot, error.code(), error.message());
        } else {
            finish(null, new CoordinatorException(ErrorCode.MALFORMED, "unexpected answer " + message));
        }
    }

    private void failedWith(int attemptNo, Connector.Slot slot, ErrorCode code, String message) {
        switch (code) {
            case UNAVAILABLE, OVERLOADED -> failed(attemptNo, slot, false, code, message);
            case TIMEOUT -> failed(attemptNo, slot, true, code, message);
            case UNAUTHORIZED -> {
                if (!attachAgain(attemptNo, slot)) {
                    finish(null, CoordinatorException.of(code, message));
                }
            }
            case SESSION_EXPIRED -> {
                Session s = session;
                boolean unknown;
                synchronized (this) {
                    unknown = outcomeUnknown;
                }
                finish(null, sessionGone(message, unknown));
                if (s != null) {
                    invoker.sessionExpired(s, message);
                }
            }
            default -> finish(null, CoordinatorException.of(code, message));
        }
    }

    private void attemptTimedOut(int attemptNo, Connector.Slot slot, Connection conn, long id, long millis) {
        conn.abandon(id);
        boolean wasSent;
        synchronized (this) {
            wasSent = sent;
        }
        failed(attemptNo, slot, wasSent, wasSent ? ErrorCode.TIMEOUT : ErrorCode.UNAVAILABLE, "no answer from "
                + conn.endpoint() + " within " + millis + " ms" + (wasSent ? "" : " to attaching " + session));
    }

    /**
     * The session could not be attached to this attempt's connection; the request itself never went
     * out. The member's verdict on the session ends the call; anything else is tried elsewhere.
     */
    private void attachFailed(int attemptNo, Connector.Slot slot, Throwable failure) {
        synchronized (this) {
            if (state == State.DONE || attemptNo != attempts) {
                return;
            }
        }
        if (failure instanceof CoordinatorException e && e.code() == ErrorCode.SESSION_EXPIRED) {
            failedWith(attemptNo, slot, e.code(), e.detail());
        } else if (failure instanceof CoordinatorException e
                && (e.code() == ErrorCode.UNAUTHORIZED || e.code() == ErrorCode.MALFORMED)) {
            finish(null, CoordinatorException.of(e.code(), e.detail()));
        } else {
            // UNAVAILABLE or TIMEOUT of the attach's read, a lost connection: nothing of this call applied.
            failed(attemptNo, slot, false, ErrorCode.UNAVAILABLE, rootMessage(failure));
        }
    }

    /**
     * UNAUTHORIZED for a call whose session this client had attached: the member forgot the
     * attachment (the session was closed on this connection, or pushed out by younger ones). Nothing
     * was applied; attach it again, on the same connection, once per call. A wrong secret then fails
     * the attach itself.
     *
     * @return false when there is nothing to re-attach (or it was tried): UNAUTHORIZED is the answer
     */
    private boolean attachAgain(int attemptNo, Connector.Slot slot) {
        Session s = session;
        ScheduledFuture<?> timer;
        synchronized (this) {
            if (s == null || reattached || state == State.DONE || attemptNo != attempts) {
                return false;
            }
            reattached = true;
            timer = attemptTimer;
            attemptTimer = null;
            connection = null;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        slot.attachments.forget(s.id, s.secret);
        attempt();
        return true;
    }

    /**
     * The session ended: SESSION_EXPIRED, unless an earlier attempt may have been applied before it
     * did (the member's de-dup memory went with the session), which leaves the outcome unknown.
     */
    private static CoordinatorException sessionGone(String message, boolean outcomeUnknown) {
        return outcomeUnknown
                ? CoordinatorException.of(ErrorCode.TIMEOUT, message
                        + " (outcome unknown: an earlier attempt may have been applied before the session ended)")
                : CoordinatorException.of(ErrorCode.SESSION_EXPIRED, message);
    }

    /**
     * An attempt failed.
     *
     * @param mayHaveApplied false only when the member certainly did not apply the command
     */
    private void failed(int attemptNo, Connector.Slot slot, boolean mayHaveApplied, ErrorCode code, String message) {
        boolean giveUpNow;
        ScheduledFuture<?> timer;
        synchronized (this) {
            if (state == State.DONE || attemptNo != attempts) {
                return;
            }
            timer = attemptTimer;
            attemptTimer = null;
            connection = null;
            lastCode = code;
            lastMessage = message;
            if (mayHaveApplied && outcomeMatters()) {
                outcomeUnknown = true;
            }
            giveUpNow = mayHaveApplied && safety == Safety.UNSEQUENCED;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        log.debug("attempt {} of {} on {} failed: {}: {}", attemptNo, describe(), slot.endpoint, code, message);
        invoker.connector().moveOn(slot);
        if (giveUpNow) {
            finish(null, CoordinatorException.of(ErrorCode.TIMEOUT,
                    "outcome unknown: " + message + " (a write without a session is not retried)"));
            return;
        }
        retryLater();
    }

    private void retryLater() {
        int endpoints = invoker.connector().endpointCount();
        int round;
        synchronized (this) {
            if (state == State.DONE) {
                return;
            }
            round = (attempts - 1) / endpoints;
        }
        // The pause grows with every full round over the endpoints, not with every member tried.
        long delay = invoker.backoff().delayMillis(round);
        if (invoker.isClosed()) {
            abortClosed();
            return;
        }
        if (attemptsExhausted() || remainingMillis() <= delay) {
            giveUp();
            return;
        }
        ScheduledFuture<?> timer = schedule(this::attempt, delay);
        if (timer == null) {
            return;
        }
        synchronized (this) {
            if (state == State.DONE) {
                timer.cancel(false);
            } else {
                attemptTimer = timer;
            }
        }
    }

    private synchronized boolean attemptsExhausted() {
        return attempts >= invoker.config().retryAttemptsMax();
    }

    private void deadlinePassed() {
        State at = state;
        if (at == State.DONE) {
            return;
        }
        if (at == State.QUEUED) {
            finish(null, CoordinatorException.of(ErrorCode.OVERLOADED, "no free slot among "
                    + invoker.config().pendingRequestsMax() + " pending requests within " + elapsedMillis() + " ms"));
        } else {
            giveUp();
        }
    }

    private void giveUp() {
        ErrorCode code;
        String message;
        synchronized (this) {
            if (state == State.DONE) {
                return;
            }
            if (connection != null) {
                // An attempt is still out: its outcome is unknown.
                connection.abandon(requestId);
                if (outcomeMatters()) {
                    outcomeUnknown = true;
                }
            }
            code = outcomeUnknown ? ErrorCode.TIMEOUT : lastCode == null ? ErrorCode.TIMEOUT : lastCode;
            message = "gave up after " + attempts + " attempt(s) in " + elapsedMillis() + " ms"
                    + (lastCode == null ? "" : "; last: " + lastCode + ": " + lastMessage)
                    + (outcomeUnknown ? " (outcome unknown)" : "");
        }
        finish(null, CoordinatorException.of(code, message));
    }

    /**
     * Ends the call from outside (session expired, client closing). SESSION_EXPIRED becomes TIMEOUT
     * when an attempt may have been applied (see {@link #sessionGone}).
     */
    void abort(ErrorCode code, String message) {
        if (code == ErrorCode.SESSION_EXPIRED) {
            boolean unknown;
            synchronized (this) {
                unknown = outcomeUnknown || (connection != null && sent && outcomeMatters());
            }
            finish(null, sessionGone(message, unknown));
            return;
        }
        finish(null, CoordinatorException.of(code, message));
    }

    /**
     * Schedules on the client's threads; null, with the call failed as closed, once they are gone
     * (the client was closed before or while the call was made).
     */
    private ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        try {
            return invoker.transport().schedule(task, delayMillis);
        } catch (RejectedExecutionException e) {
            abortClosed();
            return null;
        }
    }

    void abortClosed() {
        boolean unknown;
        synchronized (this) {
            unknown = outcomeUnknown || (connection != null && outcomeMatters());
        }
        abort(unknown ? ErrorCode.TIMEOUT : ErrorCode.UNAVAILABLE,
                "client is closed" + (unknown ? " (outcome unknown)" : ""));
    }

    private void finish(Answer answer, CoordinatorException error) {
        Connection conn;
        long id;
        ScheduledFuture<?> timer1;
        ScheduledFuture<?> timer2;
        synchronized (this) {
            if (state == State.DONE) {
                return;
            }
            state = State.DONE;
            conn = connection;
            id = requestId;
            timer1 = attemptTimer;
            timer2 = deadlineTimer;
            connection = null;
        }
        if (timer1 != null) {
            timer1.cancel(false);
        }
        if (timer2 != null) {
            timer2.cancel(false);
        }
        if (conn != null) {
            conn.abandon(id);
        }
        invoker.finished(this);
        if (error != null) {
            result.completeExceptionally(error);
        } else {
            result.complete(answer);
        }
    }

    private long remainingMillis() {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private String describe() {
        return command == null ? "status" : command.getClass().getSimpleName()
                + (safety == Safety.SEQUENCED && session != null ? " (" + session + " seq " + sequence + ")" : "");
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}

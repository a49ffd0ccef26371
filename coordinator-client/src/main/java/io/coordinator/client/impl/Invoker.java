package io.coordinator.client.impl;

import io.coordinator.client.ClientConfig;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.protocol.message.Consistency;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Admits calls and tracks them until they end. At most {@code pendingRequestsMax} calls run at once;
 * the rest wait, in submission order, for a slot until their deadline (then OVERLOADED). A session
 * write also waits while its sequence would run more than that many ahead of the session's oldest
 * write still in flight, so that a retry never falls out of the member's de-dup window.
 */
final class Invoker {
    /** Calls waiting for a slot at most; beyond it a call fails at once with OVERLOADED. */
    static final int WAITING_CALLS_MAX = 100_000;

    private final ClientConfig config;
    private final Transport transport;
    private final Connector connector;
    private final Backoff backoff;
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicLong revisionSeen = new AtomicLong();
    private final Set<Call> active = ConcurrentHashMap.newKeySet();
    private final Object admission = new Object();
    private final ArrayDeque<Call> waiting = new ArrayDeque<>();
    private int running;
    private volatile boolean closed;
    private volatile BiConsumer<Session, String> expiryListener = (s, m) -> { };

    Invoker(ClientConfig config, Transport transport, Connector connector, Backoff backoff) {
        this.config = config;
        this.transport = transport;
        this.connector = connector;
        this.backoff = backoff;
    }

    ClientConfig config() {
        return config;
    }

    Transport transport() {
        return transport;
    }

    Connector connector() {
        return connector;
    }

    /** The pause policy of every retry loop of the client. */
    Backoff backoff() {
        return backoff;
    }

    int frameBytesMax() {
        return transport.frameBytesMax();
    }

    long nextRequestId() {
        return requestIds.incrementAndGet();
    }

    long revisionSeen() {
        return revisionSeen.get();
    }

    void observeRevision(long revision) {
        revisionSeen.accumulateAndGet(revision, Math::max);
    }

    boolean isClosed() {
        return closed;
    }

    void onSessionExpired(BiConsumer<Session, String> listener) {
        this.expiryListener = listener;
    }

    /** Creates a call whose deadline starts now; {@link #admit} starts it. */
    Call create(Command.ClientCommand command, Consistency consistency, Call.Safety safety, long timeoutMillis) {
        Call call = new Call(this, command, consistency, safety, timeoutMillis);
        active.add(call);
        call.armDeadline();
        return call;
    }

    void admit(Call call) {
        if (closed) {
            call.abortClosed();
            return;
        }
        if (call.safety == Call.Safety.SEQUENCED && call.session == null) {
            throw new IllegalStateException("a sequenced call needs its session before admission");
        }
        List<Call> start = new ArrayList<>();
        boolean overflow = false;
        synchronized (admission) {
            call.queued();
            if (waiting.size() >= WAITING_CALLS_MAX) {
                overflow = true;
            } else {
                waiting.addLast(call);
                drain(start);
            }
        }
        if (overflow) {
            call.abort(ErrorCode.OVERLOADED, WAITING_CALLS_MAX + " calls are already waiting for a slot");
        }
        start.forEach(Call::begin);
    }

    /** Must hold the admission lock. Moves calls from the head of the queue into free slots. */
    private void drain(List<Call> start) {
        int max = config.pendingRequestsMax();
        while (!waiting.isEmpty()) {
            Call head = waiting.peekFirst();
            if (head.isDone()) {
                waiting.pollFirst();
                continue;
            }
            if (running >= max) {
                return;
            }
            if (head.safety == Call.Safety.SEQUENCED) {
                Session s = head.session;
                if (!s.inFlight.isEmpty() && s.nextSequence - s.inFlight.first() >= max) {
                    return;
                }
                head.sequence = s.nextSequence++;
                s.inFlight.add(head.sequence);
            }
            waiting.pollFirst();
            head.admitted = true;
            running++;
            start.add(head);
        }
    }

    /** Every call ends here exactly once. */
    void finished(Call call) {
        active.remove(call);
        List<Call> start = new ArrayList<>();
        synchronized (admission) {
            if (call.admitted) {
                running--;
                if (call.safety == Call.Safety.SEQUENCED) {
                    call.session.inFlight.remove(call.sequence);
                }
                if (running < 0) {
                    throw new IllegalStateException("admission count went negative");
                }
            } else {
                waiting.remove(call);
            }
            drain(start);
        }
        start.forEach(Call::begin);
    }

    /** A member reported the session gone: no write stamped with it can succeed any more. */
    void sessionExpired(Session session, String message) {
        expiryListener.accept(session, message);
    }

    /** Fails every call that belongs to the session; the session layer calls this once per expiry. */
    void abortSessionCalls(Session session, String message) {
        for (Call call : List.copyOf(active)) {
            if (call.session == session) {
                call.abort(ErrorCode.SESSION_EXPIRED, message);
            }
        }
    }

    int runningCount() {
        synchronized (admission) {
            return running;
        }
    }

    void close() {
        closed = true;
        for (Call call : List.copyOf(active)) {
            call.abortClosed();
        }
    }
}

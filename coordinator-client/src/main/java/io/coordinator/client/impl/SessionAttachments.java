package io.coordinator.client.impl;

import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The sessions attached to one connection (one {@link Connector.Slot}). A member accepts a call that
 * uses a session (a write stamped with it, its KeepAlive or CloseSession) only on a connection the
 * session is attached to: the one that opened it, or one that sent {@link ClientMessage.AttachSession}
 * with its secret. So the first call of a session on a new connection attaches it, and every call of
 * that session on the connection waits for that one attach, then goes out in the order it arrived:
 * after a move, the session is re-attached before any of its pending requests is resent.
 *
 * <p>A failed attach is forgotten, so the next call tries again; the calls that waited for it get the
 * failure (a {@link CoordinatorException} with the member's code, or a {@link ConnectionLostException}).
 * Attachments are kept per (session, secret): a call that names an attached session with another
 * secret is checked by the member like any other, so it cannot ride on an earlier proof.
 */
final class SessionAttachments {
    private static final Logger log = LoggerFactory.getLogger(SessionAttachments.class);

    private enum State { ATTACHING, ATTACHED }

    private static final class Attachment {
        State state = State.ATTACHING;
        final List<Consumer<Throwable>> waiters = new ArrayList<>();
    }

    /** A session with the secret it was (or is being) attached with: a different secret is checked anew. */
    private record Key(long sessionId, long secret) {
    }

    private final Map<Key, Attachment> bySession = new HashMap<>();

    /**
     * Runs {@code then} once {@code session} is attached to {@code connection} (null) or cannot be
     * (the failure); attaches it first if no call has. {@code then} runs on the I/O thread, or here.
     */
    void whenAttached(Session session, Connection connection, Invoker invoker, Consumer<Throwable> then) {
        Key key = new Key(session.id, session.secret);
        boolean attached;
        synchronized (this) {
            Attachment attachment = bySession.get(key);
            if (attachment != null && attachment.state == State.ATTACHING) {
                attachment.waiters.add(then);
                return;
            }
            attached = attachment != null;
            if (!attached) {
                attachment = new Attachment();
                attachment.waiters.add(then);
                bySession.put(key, attachment);
            }
        }
        if (attached) {
            then.accept(null);
            return;
        }
        byte[] payload = Codec.smile().encode(new ClientMessage.AttachSession(session.id, session.secret));
        connection.send(invoker.nextRequestId(), payload).whenComplete((message, error) -> {
            Throwable failure = error != null ? error : failureOf(session, message);
            if (failure == null) {
                log.debug("attached {} to {}", session, connection.endpoint());
            } else {
                log.debug("could not attach {} to {}: {}", session, connection.endpoint(), failure.getMessage());
            }
            settle(key, failure);
        });
    }

    /** The session was opened on this connection, which attached it there. */
    synchronized void opened(long sessionId, long secret) {
        Attachment attachment = new Attachment();
        attachment.state = State.ATTACHED;
        bySession.put(new Key(sessionId, secret), attachment);
    }

    /**
     * The member no longer counts the session as attached here (it closed on this connection, or the
     * member pushed it out for younger ones): the next call attaches it again. An attach under way is
     * left alone.
     */
    synchronized void forget(long sessionId, long secret) {
        Key key = new Key(sessionId, secret);
        Attachment attachment = bySession.get(key);
        if (attachment != null && attachment.state == State.ATTACHED) {
            bySession.remove(key);
        }
    }

    private void settle(Key key, Throwable failure) {
        List<Consumer<Throwable>> ready;
        synchronized (this) {
            Attachment attachment = bySession.get(key);
            if (attachment == null || attachment.state == State.ATTACHED) {
                return;
            }
            ready = List.copyOf(attachment.waiters);
            attachment.waiters.clear();
            if (failure == null) {
                attachment.state = State.ATTACHED;
            } else {
                bySession.remove(key);
            }
        }
        ready.forEach(waiter -> waiter.accept(failure));
    }

    private static Throwable failureOf(Session session, ServerMessage message) {
        if (message instanceof ServerMessage.Reply reply) {
            if (reply.response() instanceof Response.SessionChecked) {
                return null;
            }
            if (reply.response() instanceof Response.Failure f) {
                return CoordinatorException.of(f.code(), "attaching " + session + ": " + f.message());
            }
        } else if (message instanceof ServerMessage.ProtocolError e) {
            return CoordinatorException.of(e.code(), "attaching " + session + ": " + e.message());
        }
        return CoordinatorException.of(ErrorCode.MALFORMED, "attaching " + session + " was answered with " + message);
    }
}

package io.coordinator.server.net;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.pipeline.RequestPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The sessions one connection has proven it owns. The log's KeepAlive, CloseSession and a write's
 * session id carry no secret, so without this anyone who learnt a session id could renew its lease,
 * hang ephemerals on it, or replay its sequences.
 *
 * <p>A session is attached to a connection by opening it there, or by {@link ClientMessage.AttachSession}
 * with its secret, checked by a linearizable read of {@link Command.CheckSession}: a member's own copy
 * may lag behind a session just granted through the leader, or still hold one that has expired. A
 * call that uses a session not attached here (its request's session id, the ids of a KeepAlive, the
 * id of a CloseSession) is refused with UNAUTHORIZED before it reaches the log. An attachment lasts
 * as long as the connection, until the session is closed on it, or until {@link #ATTACHED_SESSIONS_MAX}
 * younger ones push it out (least recently used first); a session that expires meanwhile stays
 * attached, harmlessly: the state machine answers its calls with SESSION_EXPIRED. A client that
 * meets UNAUTHORIZED for a session it had attached simply attaches it again.
 *
 * <p>Thread-safe: calls are checked on the connection's event loop, attachments are recorded by
 * pipeline callbacks, always before the answer that reports them is sent.
 */
final class AttachedSessions {
    private static final Logger log = LoggerFactory.getLogger(AttachedSessions.class);

    /** Sessions one connection holds attached at most; one more pushes out the least recently used. */
    static final int ATTACHED_SESSIONS_MAX = 1024;

    private final RequestPipeline pipeline;
    private final String memberId;
    /** Guarded by itself; in access order, so the eldest entry is the least recently used. */
    private final LinkedHashMap<Long, Boolean> attached = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > ATTACHED_SESSIONS_MAX;
        }
    };
    private final Codec codec = Codec.smile();

    AttachedSessions(RequestPipeline pipeline, String memberId) {
        this.pipeline = pipeline;
        this.memberId = memberId;
    }

    /**
     * Submits a call if every session it uses is attached here, and afterwards attaches the session
     * it opened or detaches the one it closed.
     *
     * @return the encoded reply
     */
    CompletableFuture<byte[]> submit(ClientMessage.Call call, byte[] payload) {
        Long missing = unattachedSessionOf(call.request());
        if (missing != null) {
            return CompletableFuture.completedFuture(failure(ErrorCode.UNAUTHORIZED, "session " + missing
                    + " is not attached to this connection: open it here or attach it with its secret first"));
        }
        Command command = call.request().command();
        CompletableFuture<byte[]> reply = pipeline.submit(call, payload);
        if (!(command instanceof Command.OpenSession || command instanceof Command.CloseSession)) {
            return reply;
        }
        return reply.thenApply(bytes -> {
            Response response = responseOf(bytes);
            if (response instanceof Response.SessionOpened opened) {
                markAttached(opened.sessionId());
            } else if (response instanceof Response.SessionClosed closed) {
                detach(closed.sessionId());
            }
            return bytes;
        });
    }

    /** Checks the claim linearizably; attaches the session if it holds. @return the encoded reply */
    CompletableFuture<byte[]> attach(ClientMessage.AttachSession attach) {
        long sessionId = attach.sessionId();
        ClientMessage.Call check = new ClientMessage.Call(
                Request.of(new Command.CheckSession(sessionId, attach.secret())), Consistency.LINEARIZABLE, 0);
        return pipeline.submit(check, codec.encode(check)).thenApply(bytes -> {
            Response response = responseOf(bytes);
            if (response instanceof Response.SessionChecked) {
                markAttached(sessionId);
                log.debug("member={} session={} attached", memberId, sessionId);
            } else {
                log.debug("member={} session={} not attached: {}", memberId, sessionId, response);
            }
            return bytes;
        });
    }

    /** The first session the request uses that is not attached here, or null. */
    private Long unattachedSessionOf(Request request) {
        if (request.sessionId() != 0 && !isAttached(request.sessionId())) {
            return request.sessionId();
        }
        Command command = request.command();
        if (command instanceof Command.KeepAlive keepAlive) {
            for (Long id : keepAlive.sessionIds()) {
                if (!isAttached(id)) {
                    return id;
                }
            }
        } else if (command instanceof Command.CloseSession close && !isAttached(close.sessionId())) {
            return close.sessionId();
        }
        return null;
    }

    private Response responseOf(byte[] reply) {
        try {
            return codec.decodeServer(reply) instanceof ServerMessage.Reply r ? r.response() : null;
        } catch (Codec.MalformedMessageException e) {
            return null;
        }
    }

    private void markAttached(long sessionId) {
        synchronized (attached) {
            attached.put(sessionId, Boolean.TRUE);
        }
    }

    private void detach(long sessionId) {
        synchronized (attached) {
            attached.remove(sessionId);
        }
    }

    private boolean isAttached(long sessionId) {
        synchronized (attached) {
            return attached.get(sessionId) != null;
        }
    }

    /** Refused before the log: nothing applied, and no revision to report. */
    private byte[] failure(ErrorCode code, String message) {
        return codec.encode(new ServerMessage.Reply(0, new Response.Failure(code, message)));
    }
}

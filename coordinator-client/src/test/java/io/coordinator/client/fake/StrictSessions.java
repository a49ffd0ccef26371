package io.coordinator.client.fake;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session upkeep the way a member enforces it: a session may be used only on a connection it is
 * attached to (opened there, or attached with its secret, always 42 here); anything else is
 * UNAUTHORIZED, and a session the test expired is SESSION_EXPIRED. Closing a session detaches it from
 * the connection that closed it, as on a real member. Sessions expire only when the test
 * says so. Several fake members may share one instance, like members sharing the replicated state;
 * attachments are per connection. Every other request goes to {@code ops}.
 */
public final class StrictSessions implements FakeMember.Handler {
    public static final long SECRET = 42;

    private final FakeMember.Handler ops;
    private final AtomicLong ids;
    private final Map<Long, Long> live = new ConcurrentHashMap<>();
    private final Set<String> attached = ConcurrentHashMap.newKeySet();

    public StrictSessions(long firstId, FakeMember.Handler ops) {
        this.ids = new AtomicLong(firstId);
        this.ops = ops;
    }

    /** The cluster's verdict: from now on the session is unknown. */
    public void expire(long sessionId) {
        live.remove(sessionId);
    }

    /** The members forget every attachment (as a real one does past its per-connection bound). */
    public void forgetAttachments() {
        attached.clear();
    }

    public boolean alive(long sessionId) {
        return live.containsKey(sessionId);
    }

    private static String key(FakeMember.Received r, long sessionId) {
        return r.channel().id().asLongText() + "/" + sessionId;
    }

    private boolean isAttached(FakeMember.Received r, long sessionId) {
        return attached.contains(key(r, sessionId));
    }

    private Response check(long sessionId, long secret) {
        Long ttl = live.get(sessionId);
        if (ttl == null) {
            return new Response.Failure(ErrorCode.SESSION_EXPIRED, "session " + sessionId + " is not alive");
        }
        return secret == SECRET ? new Response.SessionChecked(sessionId, ttl)
                : new Response.Failure(ErrorCode.UNAUTHORIZED, "wrong secret for session " + sessionId);
    }

    @Override
    public void handle(FakeMember.Received r) {
        if (r.message() instanceof ClientMessage.AttachSession attach) {
            Response checked = check(attach.sessionId(), attach.secret());
            if (checked instanceof Response.SessionChecked) {
                attached.add(key(r, attach.sessionId()));
            }
            r.reply(1, checked);
            return;
        }
        Request request = r.request();
        Command c = r.command();
        if (c instanceof Command.OpenSession open) {
            long id = ids.getAndIncrement();
            live.put(id, open.ttlMillis());
            attached.add(key(r, id));
            r.reply(1, new Response.SessionOpened(id, SECRET, open.ttlMillis()));
        } else if (c instanceof Command.CheckSession check) {
            r.reply(1, check(check.sessionId(), check.secret()));
        } else if (c instanceof Command.KeepAlive keepAlive) {
            if (!keepAlive.sessionIds().stream().allMatch(id -> isAttached(r, id))) {
                r.fail(ErrorCode.UNAUTHORIZED, "not attached: " + keepAlive.sessionIds());
                return;
            }
            r.reply(1, new Response.KeptAlive((int) keepAlive.sessionIds().stream().distinct().filter(live::containsKey).count()));
        } else if (c instanceof Command.CloseSession close) {
            if (!isAttached(r, close.sessionId())) {
                r.fail(ErrorCode.UNAUTHORIZED, "not attached: " + close.sessionId());
                return;
            }
            Response checked = check(close.sessionId(), close.secret());
            if (checked instanceof Response.Failure) {
                r.reply(1, checked);
                return;
            }
            live.remove(close.sessionId());
            attached.remove(key(r, close.sessionId()));
            r.reply(1, new Response.SessionClosed(close.sessionId()));
        } else if (request != null && request.sessionId() != 0 && !isAttached(r, request.sessionId())) {
            r.fail(ErrorCode.UNAUTHORIZED, "session " + request.sessionId() + " is not attached to this connection");
        } else if (request != null && request.sessionId() != 0 && !live.containsKey(request.sessionId())) {
            r.fail(ErrorCode.SESSION_EXPIRED, "session " + request.sessionId() + " is not alive");
        } else {
            ops.handle(r);
        }
    }
}

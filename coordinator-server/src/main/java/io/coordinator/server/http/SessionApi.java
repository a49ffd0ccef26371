package io.coordinator.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.Consistency;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Sessions (leases) over HTTP, for ephemeral nodes: grant, keep alive, close. The member draws the
 * secret; the client sends it back in {@code X-Session-Secret}. The secret is a 64-bit number and
 * goes out as a decimal string, because JSON numbers past 2^53 do not survive JavaScript.
 */
final class SessionApi {
    static final long DEFAULT_TTL_MILLIS = 10_000;

    private final Calls calls;
    private final SessionGuard guard;

    SessionApi(Calls calls, SessionGuard guard) {
        this.calls = calls;
        this.guard = guard;
    }

    CompletableFuture<HttpReply> open(HttpCall call) {
        call.allowOnly("ttl-ms");
        long ttlMillis = call.longParam("ttl-ms", DEFAULT_TTL_MILLIS);
        return calls.submit(Request.of(new Command.OpenSession(ttlMillis, 0)), Consistency.LINEARIZABLE, 0, reply -> {
            Response.SessionOpened opened = (Response.SessionOpened) reply.response();
            ObjectNode body = Json.object()
                    .put("id", opened.sessionId())
                    .put("secret", Long.toString(opened.secret()))
                    .put("ttlMillis", opened.ttlMillis());
            return HttpReply.json(HttpResponseStatus.CREATED, body, reply.revision())
                    .withHeader("Location", "/v1/sessions/" + opened.sessionId());
        });
    }

    CompletableFuture<HttpReply> keepAlive(HttpCall call, long sessionId, ScheduledExecutorService timer) {
        call.allowOnly();
        long secret = NodeApi.secret(call);
        return guard.check(sessionId, secret, timer).thenCompose(refused -> refused != null
                ? CompletableFuture.completedFuture(refused)
                : calls.submit(Request.of(new Command.KeepAlive(List.of(sessionId))), Consistency.LINEARIZABLE, 0,
                        reply -> ((Response.KeptAlive) reply.response()).renewed() == 0
                                ? HttpReply.error(ErrorCode.SESSION_EXPIRED, "session " + sessionId + " is not alive",
                                        reply.revision())
                                : HttpReply.json(HttpResponseStatus.OK,
                                        Json.object().put("id", sessionId).put("renewed", true), reply.revision())));
    }

    /** The log checks the secret itself here: CloseSession carries it. */
    CompletableFuture<HttpReply> close(HttpCall call, long sessionId) {
        call.allowOnly();
        long secret = NodeApi.secret(call);
        return calls.submit(Request.of(new Command.CloseSession(sessionId, secret)), Consistency.LINEARIZABLE, 0,
                reply -> HttpReply.json(HttpResponseStatus.OK,
                        Json.object().put("id", sessionId).put("closed", true), reply.revision()));
    }

    static long sessionId(String text) {
        long id = HttpCall.parseLong("session id", text);
        if (id <= 0) {
            throw GatewayException.badArguments("a session id is positive, not " + id);
        }
        return id;
    }
}

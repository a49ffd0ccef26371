package io.coordinator.server.http;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.server.state.ReplicatedTree;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Checks a session's secret before the gateway acts for that session (keep-alive, writes with
 * X-Session-Id): the log's KeepAlive and the session id on a write carry no secret, so without this
 * anyone who saw an id could keep a lease alive or hang nodes on it.
 *
 * <p>The secret lives in the replicated state, so the check is local and cheap. A member may not
 * have applied a session's grant yet (it was granted a moment ago, through the leader); then a
 * linearizable read asks whether the session is alive at all (no: SESSION_EXPIRED) and, if it is,
 * the check waits, boundedly, for this member to apply the grant before it answers UNAUTHORIZED.
 */
final class SessionGuard {
    private final ReplicatedTree tree;
    private final Calls calls;
    private final long waitMillis;

    SessionGuard(ReplicatedTree tree, Calls calls, long waitMillis) {
        this.tree = tree;
        this.calls = calls;
        this.waitMillis = waitMillis;
    }

    /** Completes with null when the secret is the session's, else with the error reply to send. */
    CompletableFuture<HttpReply> check(long sessionId, long secret, ScheduledExecutorService timer) {
        if (tree.sessionMatches(sessionId, secret)) {
            return CompletableFuture.completedFuture(null);
        }
        Command.Txn alive = new Command.Txn(List.of(Compare.sessionAlive(sessionId)), List.of(), List.of());
        return calls.submit(Request.of(alive), Consistency.LINEARIZABLE, 0).thenCompose(reply -> {
            if (reply.response() instanceof Response.Failure failure) {
                return CompletableFuture.completedFuture(HttpReply.error(failure.code(), failure.message(), reply.revision()));
            }
            if (!((Response.TxnResult) reply.response()).succeeded()) {
                return CompletableFuture.completedFuture(HttpReply.error(ErrorCode.SESSION_EXPIRED,
                        "session " + sessionId + " is not alive", reply.revision()));
            }
            return Waits.until(timer, () -> tree.sessionMatches(sessionId, secret), waitMillis)
                    .thenApply(matches -> matches ? null : HttpReply.error(ErrorCode.UNAUTHORIZED,
                            "wrong secret for session " + sessionId));
        });
    }
}

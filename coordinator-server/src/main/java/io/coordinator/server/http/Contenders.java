package io.coordinator.server.http;

import io.coordinator.server.watch.WatchHub;
import io.netty.channel.Channel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a lock request and a campaign share: check the session, enqueue a node for it in the queue
 * NAME ({@link RecipeQueue}), wait for its turn ({@link QueueWait}), bounded by {@code wait-ms}.
 */
final class Contenders {
    private final RecipeQueue queue;
    private final SessionGuard guard;
    private final WatchHub hub;
    private final long waitMillisMax;
    private final String memberId;

    /** @param waitMillisMax {@code http.lock-wait-millis-max}: the longest {@code wait-ms}, and the default */
    Contenders(RecipeQueue queue, SessionGuard guard, WatchHub hub, long waitMillisMax, String memberId) {
        this.queue = queue;
        this.guard = guard;
        this.hub = hub;
        this.waitMillisMax = waitMillisMax;
        this.memberId = memberId;
    }

    /** A grant: the contender, first in its queue as of {@code revision}. */
    record Held(RecipeQueue.Contender contender, long revision) {
    }

    /**
     * Queues the request's session in {@code dir} with the body as the node's data and waits for its
     * turn. Takes {@code wait-ms}; the caller has checked the other parameters.
     *
     * @param what "a lock", "a candidacy": for messages
     */
    CompletableFuture<Held> acquire(HttpCall call, String dir, String prefix, String what,
                                    ScheduledExecutorService timer, Channel channel) {
        long waitMillis = waitMillis(call);
        long sessionId = call.longHeader(NodeApi.SESSION_ID, 0);
        if (sessionId <= 0) {
            throw GatewayException.badArguments(what + " belongs to a session: send " + NodeApi.SESSION_ID + " (positive) and "
                    + NodeApi.SESSION_SECRET + " (POST /v1/sessions grants one)");
        }
        long secret = NodeApi.secret(call);
        byte[] data = call.body();
        return guard.check(sessionId, secret, timer).thenCompose(refused -> {
            if (refused != null) {
                throw new GatewayException(refused);
            }
            return queue.enqueue(dir, prefix, data, sessionId);
        }).thenCompose(enqueued -> QueueWait.await(queue, hub, channel, enqueued, waitMillis, memberId)
                .thenApply(revision -> new Held(enqueued.contender(), revision)));
    }

    private long waitMillis(HttpCall call) {
        long waitMillis = call.longParam("wait-ms", waitMillisMax);
        if (waitMillis < 0 || waitMillis > waitMillisMax) {
            throw GatewayException.badArguments("wait-ms is 0 (try once) up to " + waitMillisMax
                    + " (http.lock-wait-millis-max), not " + waitMillis);
        }
        return waitMillis;
    }

    /** The {@code token} parameter: required, a createRevision. */
    static long token(HttpCall call) {
        if (call.param("token") == null) {
            throw GatewayException.badArguments("token is required: the fencing token the grant answered with");
        }
        long token = call.longParam("token", 0);
        if (token <= 0) {
            throw GatewayException.badArguments("a token is a createRevision, > 0, not " + token);
        }
        return token;
    }
}

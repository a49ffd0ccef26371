package io.coordinator.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.core.api.Op;
import io.coordinator.core.tree.Paths;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Distributed locks over HTTP, after etcd's {@code v3lock} service: {@code POST /v1/lock/NAME}
 * queues the session for the lock NAME and answers once it holds it (or gives up), with the key of
 * its node and the fencing token; {@code DELETE /v1/lock/KEY?token=T} releases it. The queue is the
 * Java client's {@code DistributedMutex} (see {@link RecipeQueue}): HTTP and Java lockers exclude
 * each other on the same NAME.
 *
 * <p>The lock belongs to the session named in {@code X-Session-Id} (proved by
 * {@code X-Session-Secret}), like etcd's lease: it is released when the session ends. Releasing takes
 * the key and the token and no session: they are the proof of the grant, as etcd's unlock takes the key.
 */
final class LockApi {
    private final Contenders contenders;
    private final RecipeQueue queue;

    LockApi(Contenders contenders, RecipeQueue queue) {
        this.contenders = contenders;
        this.queue = queue;
    }

    /** {@code POST /v1/lock/NAME[?wait-ms=N]}, body = the lock node's data (optional). */
    CompletableFuture<HttpReply> acquire(HttpCall call, String name, ScheduledExecutorService timer, Channel channel) {
        call.allowOnly("wait-ms");
        return contenders.acquire(call, name, RecipeQueue.LOCK_PREFIX, "a lock", timer, channel).thenApply(held -> {
            ObjectNode body = Json.object().put("name", name).put("key", held.contender().key())
                    .put("token", held.contender().token()).put("session", held.contender().sessionId());
            return HttpReply.json(HttpResponseStatus.OK, body, held.revision());
        });
    }

    /** {@code DELETE /v1/lock/KEY?token=T}: deletes KEY if it holds its lock with token T. */
    CompletableFuture<HttpReply> release(HttpCall call, String key) {
        call.allowOnly("token");
        long token = Contenders.token(call);
        queue.checkKey(key, RecipeQueue.LOCK_PREFIX, "a lock");
        return queue.asHolder(key, token, new Op.Delete(key, -1, false)).thenApply(reply -> HttpReply.json(
                HttpResponseStatus.OK, Json.object().put("name", Paths.parent(key)).put("key", key).put("released", true),
                reply.revision()));
    }
}

package io.coordinator.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.tree.Paths;
import io.coordinator.server.watch.WatchHub;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Leader election over HTTP, after etcd's {@code v3election} service: campaign
 * ({@code POST /v1/election/NAME}, waits to lead), leader ({@code GET /v1/election/NAME}), proclaim
 * ({@code PUT /v1/election/KEY?token=T}), resign ({@code DELETE /v1/election/KEY?token=T}), observe
 * ({@code GET /v1/election/NAME?observe=true}, a stream of leader changes). Candidates
 * queue like lockers ({@link RecipeQueue}, prefix {@code candidate-}, the Java client's
 * {@code LeaderElection} layout); the first leads, its node's data is the value it proclaims, and its
 * token is the node's createRevision. Proclaim and resign act only for the key that leads with that
 * token, so a leader whose term ended (resigned, session gone) can no longer speak for the election.
 */
final class ElectionApi {
    private final Contenders contenders;
    private final RecipeQueue queue;
    private final WatchHub hub;
    private final long pendingBytesMax;
    private final String memberId;

    /** @param pendingBytesMax bytes of observer lines not yet written before the stream ends ({@code limits.watch-pending-bytes-max}) */
    ElectionApi(Contenders contenders, RecipeQueue queue, WatchHub hub, long pendingBytesMax, String memberId) {
        this.contenders = contenders;
        this.queue = queue;
        this.hub = hub;
        this.pendingBytesMax = pendingBytesMax;
        this.memberId = memberId;
    }

    /** {@code POST /v1/election/NAME[?wait-ms=N]}, body = the value to lead with. */
    CompletableFuture<HttpReply> campaign(HttpCall call, String name, ScheduledExecutorService timer, Channel channel) {
        call.allowOnly("wait-ms");
        byte[] value = call.body();
        return contenders.acquire(call, name, RecipeQueue.CANDIDATE_PREFIX, "a candidacy", timer, channel).thenApply(held -> {
            ObjectNode body = Json.object().put("name", name).put("key", held.contender().key())
                    .put("token", held.contender().token()).put("session", held.contender().sessionId());
            Json.putData(body, value);
            return HttpReply.json(HttpResponseStatus.OK, body, held.revision());
        });
    }

    /** {@code GET /v1/election/NAME}: the leader now, or 404 when nobody stands. */
    CompletableFuture<HttpReply> leader(HttpCall call, String name) {
        return queue.head(name, NodeApi.consistency(call), 0).thenApply(head -> {
            if (head.holder().isEmpty()) {
                return HttpReply.error(ErrorCode.NO_NODE, "nobody leads " + Paths.describe(name), head.revision());
            }
            RecipeQueue.Holder leader = head.holder().get();
            ObjectNode body = Json.object().put("name", name).put("key", leader.key()).put("token", leader.token());
            Json.putData(body, leader.data());
            return HttpReply.json(HttpResponseStatus.OK, body, head.revision());
        });
    }

    /** {@code GET /v1/election/NAME?observe=true}: the leader, then a line per change ({@link LeaderStream}). */
    CompletableFuture<HttpReply> observe(String name, Channel channel) {
        return LeaderStream.observe(channel, hub, queue, name, pendingBytesMax, memberId);
    }

    /** {@code PUT /v1/election/KEY?token=T}, body = the new value: only while KEY leads with token T. */
    CompletableFuture<HttpReply> proclaim(HttpCall call, String key) {
        call.allowOnly("token");
        long token = Contenders.token(call);
        queue.checkKey(key, RecipeQueue.CANDIDATE_PREFIX, "a candidate");
        byte[] value = call.body();
        return queue.asHolder(key, token, new Op.SetData(key, value, -1)).thenApply(reply -> {
            ObjectNode body = Json.object().put("name", Paths.parent(key)).put("key", key).put("token", token);
            Json.putData(body, value);
            return HttpReply.json(HttpResponseStatus.OK, body, reply.revision());
        });
    }

    /** {@code DELETE /v1/election/KEY?token=T}: ends the term; the next candidate leads. */
    CompletableFuture<HttpReply> resign(HttpCall call, String key) {
        call.allowOnly("token");
        long token = Contenders.token(call);
        queue.checkKey(key, RecipeQueue.CANDIDATE_PREFIX, "a candidate");
        return queue.asHolder(key, token, new Op.Delete(key, -1, false)).thenApply(reply -> HttpReply.json(
                HttpResponseStatus.OK, Json.object().put("name", Paths.parent(key)).put("key", key).put("resigned", true),
                reply.revision()));
    }
}

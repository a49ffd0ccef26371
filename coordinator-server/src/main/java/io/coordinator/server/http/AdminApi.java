package io.coordinator.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.config.MemberAddress;
import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.metrics.MemberMetrics;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/** What operators and orchestrators ask a member: {@code /health}, {@code /ready}, {@code /metrics}, {@code /v1/status}. */
final class AdminApi {
    /** How long /ready waits for the applied index to reach the commit index it saw. */
    static final long READY_WAIT_MILLIS = 1_000;

    private final String memberId;
    private final List<MemberAddress> members;
    private final Supplier<MemberStatus> consensus;
    private final Supplier<ServerMessage.StatusReply> status;
    private final MemberMetrics metrics;

    AdminApi(String memberId, List<MemberAddress> members, Supplier<MemberStatus> consensus,
             Supplier<ServerMessage.StatusReply> status, MemberMetrics metrics) {
        this.memberId = memberId;
        this.members = members;
        this.consensus = consensus;
        this.status = status;
        this.metrics = metrics;
    }

    /** 200 whenever the process answers at all: liveness, not usefulness. */
    HttpReply health(HttpCall call) {
        call.allowOnly();
        return HttpReply.json(HttpResponseStatus.OK, Json.object().put("status", "serving").put("member", memberId));
    }

    /**
     * 200 once this member knows a leader and has applied everything up to the commit index it
     * knew when asked (waiting up to {@value #READY_WAIT_MILLIS} ms for that); 503 otherwise.
     */
    CompletableFuture<HttpReply> ready(HttpCall call, ScheduledExecutorService timer) {
        call.allowOnly();
        MemberStatus seen = consensus.get();
        if (seen.leaderId() == null || seen.role() == MemberStatus.Role.INACTIVE) {
            return CompletableFuture.completedFuture(readiness(false, "no leader known", seen));
        }
        long commitIndex = seen.commitIndex();
        return Waits.until(timer, () -> consensus.get().lastApplied() >= commitIndex, READY_WAIT_MILLIS)
                .thenApply(caughtUp -> {
                    MemberStatus now = consensus.get();
                    return caughtUp
                            ? readiness(true, "leader known, applied up to the commit index", now)
                            : readiness(false, "applied index " + now.lastApplied() + " is behind commit index "
                            + commitIndex, now);
                });
    }

    private HttpReply readiness(boolean ready, String reason, MemberStatus status) {
        ObjectNode body = Json.object()
                .put("ready", ready)
                .put("member", memberId)
                .put("reason", reason)
                .put("role", status.role().name())
                .put("term", status.term())
                .put("leader", status.leaderId())
                .put("commitIndex", status.commitIndex())
                .put("appliedIndex", status.lastApplied());
        return HttpReply.json(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    HttpReply metrics(HttpCall call) {
        call.allowOnly();
        return HttpReply.text(HttpResponseStatus.OK, MemberMetrics.contentType(), metrics.scrape());
    }

    /** This member's view of itself (as the binary StatusQuery answers it) and where every member listens. */
    HttpReply status(HttpCall call) {
        call.allowOnly();
        ServerMessage.StatusReply reply = status.get();
        ObjectNode body = Json.object();
        body.set("self", Json.tree(reply.self()));
        ArrayNode list = body.putArray("members");
        for (MemberAddress member : members) {
            list.addObject()
                    .put("id", member.id())
                    .put("client", member.clientEndpoint())
                    .put("http", member.httpPort() == 0 ? null : member.host() + ":" + member.httpPort());
        }
        return HttpReply.json(HttpResponseStatus.OK, body);
    }
}

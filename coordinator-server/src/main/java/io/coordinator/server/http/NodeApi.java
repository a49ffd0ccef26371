package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The tree operations over HTTP: {@code /v1/nodes}, {@code /v1/children}, {@code /v1/exists} and
 * {@code /v1/txn}. Each becomes the same command a binary client sends; a write on behalf of a
 * session names it in {@code X-Session-Id} and proves it with {@code X-Session-Secret}.
 */
final class NodeApi {
    static final String SESSION_ID = "X-Session-Id";
    static final String SESSION_SECRET = "X-Session-Secret";
    static final String REQUEST_SEQUENCE = "X-Request-Sequence";

    private final Calls calls;
    private final SessionGuard guard;

    NodeApi(Calls calls, SessionGuard guard) {
        this.calls = calls;
        this.guard = guard;
    }

    CompletableFuture<HttpReply> get(HttpCall call, String path) {
        call.allowOnly("consistency", "min-revision");
        return read(call, new Command.Execute(new Op.Get(path)), reply -> {
            Response.Data data = (Response.Data) reply.response();
            ObjectNode body = Json.object().put("path", path);
            Json.putData(body, data.data());
            Json.putStat(body, "stat", data.stat());
            return HttpReply.json(HttpResponseStatus.OK, body, reply.revision());
        });
    }

    /** HEAD: the status says it all (200 or 404), the revision goes in a header. */
    CompletableFuture<HttpReply> head(HttpCall call, String path) {
        call.allowOnly("consistency", "min-revision");
        return read(call, new Command.Execute(new Op.Exists(path)), reply -> {
            Response.ExistsResult exists = (Response.ExistsResult) reply.response();
            return exists.exists()
                    ? HttpReply.json(HttpResponseStatus.OK, Json.object().put("path", path), reply.revision())
                    : HttpReply.error(ErrorCode.NO_NODE, path + " does not exist", reply.revision());
        });
    }

    CompletableFuture<HttpReply> exists(HttpCall call, String path) {
        call.allowOnly("consistency", "min-revision");
        return read(call, new Command.Execute(new Op.Exists(path)), reply -> {
            Response.ExistsResult exists = (Response.ExistsResult) reply.response();
            ObjectNode body = Json.object().put("path", path).put("exists", exists.exists());
            Json.putStat(body, "stat", exists.stat());
            return HttpReply.json(HttpResponseStatus.OK, body, reply.revision());
        });
    }

    CompletableFuture<HttpReply> children(HttpCall call, String path) {
        call.allowOnly("stats", "consistency", "min-revision");
        return read(call, new Command.Execute(new Op.Children(path, call.flag("stats"))), reply -> {
            ObjectNode body = Json.object().put("path", path);
            Json.children(body, (Response.ChildrenResult) reply.response());
            return HttpReply.json(HttpResponseStatus.OK, body, reply.revision());
        });
    }

    CompletableFuture<HttpReply> create(HttpCall call, String path, ScheduledExecutorService timer) {
        call.allowOnly("mode", "ttl-ms");
        CreateMode mode = mode(call.param("mode"));
        if (mode.ephemeral() && call.headers().get(SESSION_ID) == null) {
            throw GatewayException.badArguments("an ephemeral node needs a session: send " + SESSION_ID + " and "
                    + SESSION_SECRET + " (POST /v1/sessions grants one)");
        }
        Op.Create create = new Op.Create(path, call.body(), mode, call.longParam("ttl-ms", 0));
        return write(call, new Command.Execute(create), timer, reply -> {
            Response.Created created = (Response.Created) reply.response();
            ObjectNode body = Json.object().put("path", created.path());
            Json.putStat(body, "stat", created.stat());
            return HttpReply.json(HttpResponseStatus.CREATED, body, reply.revision())
                    .withHeader("Location", "/v1/nodes" + PathEncoding.encode(created.path()));
        });
    }

    CompletableFuture<HttpReply> set(HttpCall call, String path, ScheduledExecutorService timer) {
        call.allowOnly("version");
        int version = version(call);
        return write(call, new Command.Execute(new Op.SetData(path, call.body(), version)), timer, reply -> {
            ObjectNode body = Json.object().put("path", path);
            Json.putStat(body, "stat", ((Response.Updated) reply.response()).stat());
            return HttpReply.json(HttpResponseStatus.OK, body, reply.revision());
        });
    }

    CompletableFuture<HttpReply> delete(HttpCall call, String path, ScheduledExecutorService timer) {
        call.allowOnly("version", "recursive");
        Op.Delete delete = new Op.Delete(path, version(call), call.flag("recursive"));
        return write(call, new Command.Execute(delete), timer, reply -> {
            Response.Deleted deleted = (Response.Deleted) reply.response();
            ObjectNode body = Json.object().put("path", deleted.path()).put("deleted", deleted.count());
            return HttpReply.json(HttpResponseStatus.OK, body, reply.revision());
        });
    }

    /**
     * The body is a {@code Command.Txn} in the protocol's JSON ({@code Codec.json()}); its
     * {@code "@type": "txn"} may be left out. A txn of reads only is a read (and takes
     * {@code consistency}); one with a write goes through the log.
     */
    CompletableFuture<HttpReply> txn(HttpCall call, ScheduledExecutorService timer) {
        call.allowOnly("consistency", "min-revision");
        Command.Txn txn = parseTxn(call.body());
        Function<ServerMessage.Reply, HttpReply> render = reply -> {
            Response.TxnResult result = (Response.TxnResult) reply.response();
            ObjectNode body = Json.object().put("succeeded", result.succeeded());
            ArrayNode results = body.putArray("results");
            result.results().forEach(response -> results.add(Json.result(response)));
            return HttpReply.json(HttpResponseStatus.OK, body, reply.revision());
        };
        return txn.isWrite() ? write(call, txn, timer, render) : read(call, txn, render);
    }

    private CompletableFuture<HttpReply> read(HttpCall call, Command.ClientCommand command,
                                              Function<ServerMessage.Reply, HttpReply> render) {
        return calls.submit(Request.of(command), consistency(call), minRevision(call), render);
    }

    private CompletableFuture<HttpReply> write(HttpCall call, Command.ClientCommand command, ScheduledExecutorService timer,
                                               Function<ServerMessage.Reply, HttpReply> render) {
        long sessionId = call.longHeader(SESSION_ID, 0);
        long sequence = call.longHeader(REQUEST_SEQUENCE, 0);
        if (sessionId == 0) {
            if (sequence != 0) {
                throw GatewayException.badArguments(REQUEST_SEQUENCE + " needs " + SESSION_ID);
            }
            return calls.submit(Request.of(command), Consistency.LINEARIZABLE, 0, render);
        }
        if (sessionId < 0 || sequence < 0) {
            throw GatewayException.badArguments(SESSION_ID + " and " + REQUEST_SEQUENCE + " must be positive");
        }
        long secret = secret(call);
        Request request = new Request(sessionId, sequence, command);
        return guard.check(sessionId, secret, timer).thenCompose(refused -> refused != null
                ? CompletableFuture.completedFuture(refused)
                : calls.submit(request, Consistency.LINEARIZABLE, 0, render));
    }

    static long secret(HttpCall call) {
        if (call.headers().get(SESSION_SECRET) == null) {
            throw GatewayException.badArguments(SESSION_SECRET + " is required to act for a session");
        }
        return call.longHeader(SESSION_SECRET, 0);
    }

    static Consistency consistency(HttpCall call) {
        String value = call.param("consistency");
        if (value == null || value.equalsIgnoreCase("linearizable")) {
            return Consistency.LINEARIZABLE;
        }
        if (value.equalsIgnoreCase("serializable")) {
            return Consistency.SERIALIZABLE;
        }
        throw GatewayException.badArguments("consistency is linearizable or serializable, not '" + value + "'");
    }

    private static long minRevision(HttpCall call) {
        long minRevision = call.longParam("min-revision", 0);
        if (minRevision < 0) {
            throw GatewayException.badArguments("min-revision must not be negative");
        }
        return minRevision;
    }

    private static int version(HttpCall call) {
        long version = call.longParam("version", -1);
        if (version < -1 || version > Integer.MAX_VALUE) {
            throw GatewayException.badArguments("version is -1 (any) or a node version, not " + version);
        }
        return (int) version;
    }

    /** {@code persistent}, {@code ephemeral-sequential}, {@code PERSISTENT_WITH_TTL}, ...: the CreateMode names. */
    static CreateMode mode(String value) {
        if (value == null) {
            return CreateMode.PERSISTENT;
        }
        try {
            return CreateMode.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw GatewayException.badArguments("mode '" + value + "' is none of "
                    + Arrays.stream(CreateMode.values()).map(m -> m.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
        }
    }

    static Command.Txn parseTxn(byte[] body) {
        ObjectMapper mapper = Codec.json().mapper();
        try {
            // Before Jackson, which reads an overlong '/' as '/': a path that is not UTF-8 is INVALID_PATH.
            Codec.json().checkText(body);
        } catch (Codec.MalformedMessageException e) {
            throw new GatewayException(HttpReply.error(e.code(), "txn: " + e.getMessage()));
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(body);
        } catch (IOException e) {
            throw malformed("the body is not JSON: " + firstLine(e.getMessage()));
        }
        if (!(tree instanceof ObjectNode object)) {
            throw malformed("the body must be a JSON object: {\"compares\": [...], \"then\": [...], \"otherwise\": [...]}");
        }
        if (!object.has("@type")) {
            object.put("@type", "txn");
        }
        Command.ClientCommand command;
        try {
            command = Codec.json().decode(mapper.writeValueAsBytes(object), Command.ClientCommand.class);
        } catch (Codec.MalformedMessageException | IOException e) {
            throw malformed("not a txn: " + e.getMessage());
        }
        if (!(command instanceof Command.Txn txn)) {
            throw malformed("the body must be a txn, not " + object.get("@type"));
        }
        return txn;
    }

    private static GatewayException malformed(String message) {
        return new GatewayException(HttpReply.error(ErrorCode.MALFORMED, message));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}

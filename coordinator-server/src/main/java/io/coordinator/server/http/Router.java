package io.coordinator.server.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Which request goes where. The table, with the full contract in coordinator-server/HTTP.md:
 *
 * <pre>
 * GET /  /health  /ready  /metrics  /v1/status
 * GET|HEAD|POST|PUT|DELETE /v1/nodes/PATH     get | exists | create | set | delete
 * GET /v1/children/PATH    GET /v1/exists/PATH    POST /v1/txn
 * POST /v1/sessions    POST /v1/sessions/ID/keepalive    DELETE /v1/sessions/ID
 * GET /v1/watch/PATH       a streaming response, one JSON line per notification
 * POST /v1/lock/NAME       acquire (waits)         DELETE /v1/lock/KEY?token=T   release
 * POST /v1/election/NAME   campaign (waits)        GET /v1/election/NAME         leader
 * GET /v1/election/NAME?observe=true                a streaming response, one JSON line per leader change
 * PUT /v1/election/KEY?token=T   proclaim          DELETE /v1/election/KEY?token=T   resign
 * </pre>
 */
final class Router {
    private static final Logger log = LoggerFactory.getLogger(Router.class);
    private static final String NODES = "/v1/nodes";
    private static final String CHILDREN = "/v1/children";
    private static final String EXISTS = "/v1/exists";
    private static final String SESSIONS = "/v1/sessions";
    static final String WATCH = "/v1/watch";
    private static final String LOCK = "/v1/lock";
    private static final String ELECTION = "/v1/election";

    private final String memberId;
    private final NodeApi nodes;
    private final SessionApi sessions;
    private final AdminApi admin;
    private final StatusPage page;
    private final WatchApi watches;
    private final LockApi locks;
    private final ElectionApi elections;

    Router(String memberId, NodeApi nodes, SessionApi sessions, AdminApi admin, StatusPage page, WatchApi watches,
           LockApi locks, ElectionApi elections) {
        this.memberId = memberId;
        this.nodes = nodes;
        this.sessions = sessions;
        this.admin = admin;
        this.page = page;
        this.watches = watches;
        this.locks = locks;
        this.elections = elections;
    }

    /**
     * Never fails: a refused or broken request becomes its error reply. {@code channel} is the
     * request's connection (a watch streams on it); {@code timer} runs on its event loop.
     */
    CompletableFuture<HttpReply> handle(HttpCall call, ScheduledExecutorService timer, Channel channel) {
        CompletableFuture<HttpReply> reply;
        try {
            reply = dispatch(call, timer, channel);
        } catch (GatewayException e) {
            return CompletableFuture.completedFuture(e.reply());
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.exceptionally(failure -> {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof GatewayException refused) {
                return refused.reply();
            }
            log.warn("member={} HTTP {} {} failed", memberId, call.method(), call.path(), cause);
            return HttpReply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", String.valueOf(cause.getMessage()));
        });
    }

    /** A low-cardinality name of the route, for metrics. */
    static String routeName(String path) {
        if (path.equals("/")) {
            return "page";
        }
        for (String prefix : new String[]{NODES, CHILDREN, EXISTS, SESSIONS, WATCH, LOCK, ELECTION}) {
            if (under(path, prefix)) {
                return prefix.substring("/v1/".length());
            }
        }
        return switch (path) {
            case "/health", "/ready", "/metrics" -> path.substring(1);
            case "/v1/status" -> "status";
            case "/v1/txn" -> "txn";
            default -> "unknown";
        };
    }

    /**
     * A route that may answer with a stream (a watch, an election's observer): its answer is the last
     * on its connection (see GatewayHandler).
     */
    static boolean streams(HttpCall call) {
        return under(call.path(), WATCH)
                || (under(call.path(), ELECTION) && call.method().equals(HttpMethod.GET) && call.param("observe") != null);
    }

    private CompletableFuture<HttpReply> dispatch(HttpCall call, ScheduledExecutorService timer, Channel channel) {
        String path = call.path();
        HttpMethod method = call.method();
        if (under(path, NODES)) {
            String node = nodePath(path, NODES);
            if (method.equals(HttpMethod.GET)) {
                return nodes.get(call, node);
            } else if (method.equals(HttpMethod.HEAD)) {
                return nodes.head(call, node);
            } else if (method.equals(HttpMethod.POST)) {
                return nodes.create(call, node, timer);
            } else if (method.equals(HttpMethod.PUT)) {
                return nodes.set(call, node, timer);
            } else if (method.equals(HttpMethod.DELETE)) {
                return nodes.delete(call, node, timer);
            }
            return notAllowed("GET, HEAD, POST, PUT, DELETE");
        }
        if (under(path, CHILDREN)) {
            return method.equals(HttpMethod.GET) ? nodes.children(call, nodePath(path, CHILDREN)) : notAllowed("GET");
        }
        if (under(path, EXISTS)) {
            return method.equals(HttpMethod.GET) ? nodes.exists(call, nodePath(path, EXISTS)) : notAllowed("GET");
        }
        if (under(path, WATCH)) {
            return method.equals(HttpMethod.GET) ? watches.watch(call, nodePath(path, WATCH), channel) : notAllowed("GET");
        }
        if (under(path, SESSIONS)) {
            return session(call, path.substring(SESSIONS.length()), timer);
        }
        if (under(path, LOCK)) {
            String node = nodePath(path, LOCK);
            if (method.equals(HttpMethod.POST)) {
                return locks.acquire(call, node, timer, channel);
            } else if (method.equals(HttpMethod.DELETE)) {
                return locks.release(call, node);
            }
            return notAllowed("POST, DELETE");
        }
        if (under(path, ELECTION)) {
            return election(call, nodePath(path, ELECTION), timer, channel);
        }
        switch (path) {
            case "/":
                return get(call) ? page.render(call) : notAllowed("GET");
            case "/health":
                return get(call) ? done(admin.health(call)) : notAllowed("GET");
            case "/ready":
                return get(call) ? admin.ready(call, timer) : notAllowed("GET");
            case "/metrics":
                return get(call) ? done(admin.metrics(call)) : notAllowed("GET");
            case "/v1/status":
                return get(call) ? done(admin.status(call)) : notAllowed("GET");
            case "/v1/txn":
                return call.method().equals(HttpMethod.POST) ? nodes.txn(call, timer) : notAllowed("POST");
            default:
                return done(HttpReply.error(HttpResponseStatus.NOT_FOUND, "NO_ROUTE",
                        "no route " + path + " (see /v1/nodes/PATH, /v1/children/PATH, /v1/txn, /v1/sessions, /v1/watch/PATH, "
                                + "/v1/lock/NAME, /v1/election/NAME, /metrics)"));
        }
    }

    /** NAME (POST: campaign, GET: leader) or KEY (PUT: proclaim, DELETE: resign). */
    private CompletableFuture<HttpReply> election(HttpCall call, String node, ScheduledExecutorService timer, Channel channel) {
        HttpMethod method = call.method();
        if (method.equals(HttpMethod.POST)) {
            return elections.campaign(call, node, timer, channel);
        } else if (method.equals(HttpMethod.GET)) {
            if (call.param("observe") != null) {
                call.allowOnly("observe");
                if (call.flag("observe")) {
                    return elections.observe(node, channel);
                }
            }
            call.allowOnly("consistency", "observe");
            return elections.leader(call, node);
        } else if (method.equals(HttpMethod.PUT)) {
            return elections.proclaim(call, node);
        } else if (method.equals(HttpMethod.DELETE)) {
            return elections.resign(call, node);
        }
        return notAllowed("GET, POST, PUT, DELETE");
    }

    /** {@code ""} (POST: grant), {@code /ID} (DELETE: close), {@code /ID/keepalive} (POST). */
    private CompletableFuture<HttpReply> session(HttpCall call, String rest, ScheduledExecutorService timer) {
        HttpMethod method = call.method();
        if (rest.isEmpty() || rest.equals("/")) {
            return method.equals(HttpMethod.POST) ? sessions.open(call) : notAllowed("POST");
        }
        String[] parts = rest.substring(1).split("/", -1);
        if (parts.length == 1) {
            return method.equals(HttpMethod.DELETE)
                    ? sessions.close(call, SessionApi.sessionId(parts[0])) : notAllowed("DELETE");
        }
        if (parts.length == 2 && parts[1].equals("keepalive")) {
            return method.equals(HttpMethod.POST)
                    ? sessions.keepAlive(call, SessionApi.sessionId(parts[0]), timer) : notAllowed("POST");
        }
        return done(HttpReply.error(HttpResponseStatus.NOT_FOUND, "NO_ROUTE",
                "no route " + call.path() + " (sessions: POST /v1/sessions, POST /v1/sessions/ID/keepalive, DELETE /v1/sessions/ID)"));
    }

    private static boolean under(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /** {@code /v1/nodes} and {@code /v1/nodes/} are the root; the rest is the node's path as given. */
    private static String nodePath(String path, String prefix) {
        String rest = path.substring(prefix.length());
        return rest.isEmpty() ? "/" : rest;
    }

    private static boolean get(HttpCall call) {
        return call.method().equals(HttpMethod.GET);
    }

    private static CompletableFuture<HttpReply> notAllowed(String allowed) {
        return done(HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                "this route takes " + allowed).withHeader("Allow", allowed));
    }

    private static CompletableFuture<HttpReply> done(HttpReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}

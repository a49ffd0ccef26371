package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.config.MemberAddress;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code GET /}: a small HTML page of the cluster as this member sees it. The other members' rows
 * come from their own {@code /v1/status}, all asked at once, each with the same bound
 * ({@code http.peer-status-timeout-millis}), so that one slow or dead member costs the page at most
 * that long.
 *
 * <p>A member that does not answer is not necessarily down, and the page says which case it saw:
 * "down: connection refused" (nothing listens: the process is gone), "slow: no connection within N
 * ms" (no TCP answer: cut off, or the host is gone) or "slow: no answer within N ms" (connected but
 * silent: paused, overloaded, or just cold), and "unreachable: ..." for any other I/O failure. The
 * bound's default is generous (2 s) because a member's first answer after start can take a few
 * hundred ms on a busy host, and a page that calls a live member down is worse than a slow page.
 * Requests use HTTP/1.1, which the gateway speaks (the client's default, HTTP/2, starts with an h2c
 * upgrade offer the gateway does not take up); the client keeps such connections open and reuses
 * them on the next render.
 */
final class StatusPage {
    private final String memberId;
    private final List<MemberAddress> members;
    private final Supplier<ServerMessage.StatusReply> status;
    private final HttpClient client;
    private final Duration timeout;

    StatusPage(String memberId, List<MemberAddress> members, Supplier<ServerMessage.StatusReply> status,
               HttpClient client, Duration timeout) {
        this.memberId = memberId;
        this.members = members;
        this.status = status;
        this.client = client;
        this.timeout = timeout;
    }

    CompletableFuture<HttpReply> render(HttpCall call) {
        call.allowOnly();
        List<CompletableFuture<String>> rows = new ArrayList<>();
        for (MemberAddress member : members) {
            rows.add(row(member));
        }
        return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            StringBuilder html = new StringBuilder(4096);
            html.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Coordinator ")
                    .append(escape(memberId)).append("</title>\n<style>body{font-family:sans-serif;margin:2em}")
                    .append("table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:4px 10px;text-align:left}")
                    .append(".leader{font-weight:bold}.down{color:#a00}.slow{color:#a60}</style></head><body>\n")
                    .append("<h1>Coordinator: member ").append(escape(memberId)).append("</h1>\n")
                    .append("<p>The cluster as member ").append(escape(memberId))
                    .append(" sees it; other members answer for themselves within ")
                    .append(timeout.toMillis()).append(" ms.</p>\n<table>\n<tr><th>member</th><th>role</th>")
                    .append("<th>term</th><th>leader</th><th>commit index</th><th>applied index</th>")
                    .append("<th>revision</th><th>client</th><th>http</th></tr>\n");
            rows.forEach(row -> html.append(row.join()));
            html.append("</table>\n<p><a href=\"/v1/status\">/v1/status</a> · <a href=\"/metrics\">/metrics</a> · ")
                    .append("<a href=\"/health\">/health</a> · <a href=\"/ready\">/ready</a></p>\n</body></html>\n");
            return HttpReply.text(HttpResponseStatus.OK, "text/html; charset=utf-8", html.toString());
        });
    }

    private CompletableFuture<String> row(MemberAddress member) {
        if (member.id().equals(memberId)) {
            return CompletableFuture.completedFuture(row(member, Json.tree(status.get().self())));
        }
        if (member.httpPort() == 0) {
            return CompletableFuture.completedFuture(unknown(member, "down", "no http port"));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpBase(member) + "/v1/status"))
                .version(HttpClient.Version.HTTP_1_1).timeout(timeout).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        return unknown(member, "down", "HTTP " + response.statusCode());
                    }
                    JsonNode body = Json.parse(response.body());
                    return row(member, body == null ? null : body.get("self"));
                })
                .exceptionally(failure -> failed(member, failure));
    }

    /** Why a member did not answer, in the words of the class comment. */
    private String failed(MemberAddress member, Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return unknown(member, "slow", "slow: no connection within " + timeout.toMillis() + " ms");
        }
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return unknown(member, "slow", "slow: no answer within " + timeout.toMillis() + " ms");
        }
        if (cause instanceof ConnectException) {
            return unknown(member, "down", "down: connection refused");
        }
        return unknown(member, "down", "unreachable: " + (cause.getMessage() == null
                ? cause.getClass().getSimpleName() : cause.getMessage()));
    }

    private String row(MemberAddress member, JsonNode self) {
        if (self == null || !self.isObject()) {
            return unknown(member, "down", "unreadable status");
        }
        boolean leader = "LEADER".equals(self.path("role").asText());
        return "<tr" + (leader ? " class=\"leader\"" : "") + "><td>" + escape(member.id())
                + (member.id().equals(memberId) ? " (this)" : "") + "</td><td>" + escape(self.path("role").asText())
                + "</td><td>" + self.path("term").asLong() + "</td><td>" + escape(self.path("leaderId").asText("-"))
                + "</td><td>" + self.path("commitIndex").asLong() + "</td><td>" + self.path("lastApplied").asLong()
                + "</td><td>" + self.path("revision").asLong() + "</td>" + addresses(member) + "</tr>\n";
    }

    /** A row without the member's status; {@code cssClass} "down" or "slow". */
    private String unknown(MemberAddress member, String cssClass, String why) {
        return "<tr class=\"" + cssClass + "\"><td>" + escape(member.id()) + "</td><td colspan=\"6\">" + escape(why)
                + "</td>" + addresses(member) + "</tr>\n";
    }

    private static String addresses(MemberAddress member) {
        String http = member.httpPort() == 0 ? "-"
                : "<a href=\"" + escape(httpBase(member)) + "/\">" + escape(member.host() + ":" + member.httpPort()) + "</a>";
        return "<td>" + escape(member.clientEndpoint()) + "</td><td>" + http + "</td>";
    }

    private static String httpBase(MemberAddress member) {
        String host = member.host().contains(":") ? "[" + member.host() + "]" : member.host();
        return "http://" + host + ":" + member.httpPort();
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

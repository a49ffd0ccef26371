package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.core.api.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One answer of the gateway, before it becomes a Netty response: plain bytes, so that it can wait in
 * the per-connection ordering queue without holding a buffer.
 *
 * @param headers extra response headers (the revision, Location, Allow, Retry-After, ...)
 * @param close   close the connection once this reply is written
 * @param stream  null, or the streaming body that follows the head of this reply (a watch): then
 *                {@code body} is unused, the answer is chunked and the last on its connection
 */
record HttpReply(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers,
                 boolean close, LineStream stream) {
    static final String JSON = "application/json; charset=utf-8";
    static final String REVISION_HEADER = "X-Coordinator-Revision";

    HttpReply {
        headers = Map.copyOf(headers);
    }

    HttpReply(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers, boolean close) {
        this(status, contentType, body, headers, close, null);
    }

    /** 200, chunked: the head now, then whatever {@code stream} writes once the head is out. */
    static HttpReply streaming(String contentType, Map<String, String> headers, LineStream stream) {
        return new HttpReply(HttpResponseStatus.OK, contentType, new byte[0], headers, true, stream);
    }

    static HttpReply json(HttpResponseStatus status, JsonNode body) {
        return new HttpReply(status, JSON, Json.bytes(body), Map.of(), false);
    }

    /** A JSON reply that reflects {@code revision}, which also goes into a header for HEAD and scripts. */
    static HttpReply json(HttpResponseStatus status, ObjectNode body, long revision) {
        body.put("revision", revision);
        return json(status, body).withHeader(REVISION_HEADER, Long.toString(revision));
    }

    static HttpReply text(HttpResponseStatus status, String contentType, String body) {
        return new HttpReply(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of(), false);
    }

    /** {@code {"error": {"code": ..., "message": ...}}} with the status that fits the code. */
    static HttpReply error(ErrorCode code, String message) {
        HttpReply reply = error(ErrorStatus.of(code), code.name(), message);
        return code.retryable() ? reply.withHeader("Retry-After", "1") : reply;
    }

    static HttpReply error(ErrorCode code, String message, long revision) {
        return error(code, message).withHeader(REVISION_HEADER, Long.toString(revision));
    }

    /** For failures of the gateway itself, whose codes are not protocol error codes (NO_ROUTE, ...). */
    static HttpReply error(HttpResponseStatus status, String code, String message) {
        ObjectNode error = Json.object();
        error.putObject("error").put("code", code).put("message", message);
        return json(status, error);
    }

    HttpReply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpReply(status, contentType, body, more, close, stream);
    }

    HttpReply closing() {
        return new HttpReply(status, contentType, body, headers, true, stream);
    }
}

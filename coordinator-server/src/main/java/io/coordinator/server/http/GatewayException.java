package io.coordinator.server.http;

import io.coordinator.core.api.ErrorCode;

/** A request the gateway refuses before it reaches the pipeline (bad parameter, missing header). */
final class GatewayException extends RuntimeException {
    private final transient HttpReply reply;

    GatewayException(HttpReply reply) {
        super(new String(reply.body(), java.nio.charset.StandardCharsets.UTF_8), null, false, false);
        this.reply = reply;
    }

    static GatewayException badArguments(String message) {
        return new GatewayException(HttpReply.error(ErrorCode.BAD_ARGUMENTS, message));
    }

    HttpReply reply() {
        return reply;
    }

    /** The error's code and message, as the reply's JSON body names them. */
    String describe() {
        com.fasterxml.jackson.databind.JsonNode error = Json.parse(reply.body()).path("error");
        return error.path("code").asText() + ": " + error.path("message").asText();
    }
}

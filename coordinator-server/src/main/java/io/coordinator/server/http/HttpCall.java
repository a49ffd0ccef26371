package io.coordinator.server.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One decoded HTTP request, copied out of Netty's buffers so that it outlives them.
 *
 * @param path the decoded path of the URI, without the query
 */
record HttpCall(HttpMethod method, String path, Map<String, List<String>> params, HttpHeaders headers, byte[] body,
                boolean keepAlive) {

    /** @throws GatewayException for a target that does not decode (see {@link RequestTarget}) */
    static HttpCall of(FullHttpRequest request) {
        String uri = request.uri();
        return new HttpCall(request.method(), RequestTarget.path(uri), RequestTarget.params(uri), request.headers(),
                ByteBufUtil.getBytes(request.content()), HttpUtil.isKeepAlive(request));
    }

    /** Refuses parameters the route does not know: a typo must not silently fall back to a default. */
    void allowOnly(String... names) {
        Set<String> allowed = Set.of(names);
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            if (!allowed.contains(param.getKey())) {
                throw GatewayException.badArguments("unknown parameter '" + param.getKey() + "' (this route takes "
                        + (names.length == 0 ? "none" : String.join(", ", names)) + ")");
            }
            if (param.getValue().size() > 1) {
                throw GatewayException.badArguments("parameter '" + param.getKey() + "' given more than once");
            }
        }
    }

    String param(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    long longParam(String name, long absent) {
        String value = param(name);
        return value == null ? absent : parseLong(name, value);
    }

    /** {@code ?recursive}, {@code ?recursive=true} and {@code ?recursive=false}. */
    boolean flag(String name) {
        String value = param(name);
        if (value == null) {
            return false;
        }
        if (value.isEmpty() || value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw GatewayException.badArguments("parameter '" + name + "' must be true or false, not '" + value + "'");
    }

    /** A header holding a decimal long, or {@code absent} when the header is missing. */
    long longHeader(String name, long absent) {
        String value = headers.get(name);
        return value == null ? absent : parseLong(name, value.trim());
    }

    static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw GatewayException.badArguments("'" + name + "' must be an integer, not '" + value + "'");
        }
    }
}

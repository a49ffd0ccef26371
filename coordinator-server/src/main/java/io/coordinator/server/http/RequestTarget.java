package io.coordinator.server.http;

import io.coordinator.core.api.ErrorCode;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The request target (URI) of a request line, decoded strictly. Netty hands it over as one char per
 * byte. The path is percent-decoded into bytes, and those bytes must be well-formed UTF-8 (no
 * overlongs, no surrogates, nothing past U+10FFFF): Netty's own decoder puts U+FFFD in place of bad
 * bytes and passes raw bytes above 0x7F through as Latin-1, so a path would name a node the client
 * never spelt. Raw bytes above 0x7F that are well-formed UTF-8 (what curl sends for {@code café})
 * count as if they were percent-encoded; RFC 9112 asks for ASCII, but refusing what is unambiguous
 * helps nobody. A U+FFFD that arrives well-formed is a character like any other: the client meant it.
 */
final class RequestTarget {
    private RequestTarget() {
    }

    /** The path part, not decoded: for route names (metrics), never fails. */
    static String rawPath(String uri) {
        int end = end(uri);
        return uri.substring(0, end);
    }

    /**
     * @throws GatewayException MALFORMED for a bad percent-escape, INVALID_PATH for bytes that are
     *                          not well-formed UTF-8
     */
    static String path(String uri) {
        String raw = rawPath(uri);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (low < 0) {
                    throw malformed("a bad percent-escape at index " + i + " of the request path: '%' must be followed"
                            + " by two hex digits");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c > 0xff) {
                throw new GatewayException(HttpReply.error(ErrorCode.INVALID_PATH, "the request path is not UTF-8"));
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new GatewayException(HttpReply.error(ErrorCode.INVALID_PATH,
                    "the request path, percent-decoded, is not well-formed UTF-8"));
        }
    }

    /** The query's parameters. @throws GatewayException MALFORMED for a bad percent-escape */
    static Map<String, List<String>> params(String uri) {
        try {
            return new QueryStringDecoder(uri).parameters();
        } catch (IllegalArgumentException e) {
            throw malformed("a bad percent-escape in the query: " + e.getMessage());
        }
    }

    private static int end(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
    }

    private static GatewayException malformed(String message) {
        return new GatewayException(HttpReply.error(ErrorCode.MALFORMED, message));
    }
}

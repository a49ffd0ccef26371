package io.coordinator.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request line, byte by byte, over a raw socket: what HTTP.md promises for percent-escapes,
 * paths that are not UTF-8, HTTP versions, and a client that half-closes after its request.
 */
class HttpRequestLineTest extends OneMemberGatewayTest {

    private static RawHttp connect() throws IOException {
        return new RawHttp(cluster.member(0).httpAddress());
    }

    /** {@code METHOD target HTTP/1.1}, the target given as raw bytes, then an empty body. */
    private static byte[] request(String method, byte[] target, String version) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((method + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(target);
        out.writeBytes((" " + version + "\r\nHost: test\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(String prefix, int... bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii(prefix));
        for (int b : bytes) {
            out.write(b);
        }
        return out.toByteArray();
    }

    private static String code(RawHttp.Response response) {
        return json(response).path("error").path("code").asText();
    }

    private static JsonNode json(RawHttp.Response response) {
        JsonNode node = Json.parse(response.body().getBytes(StandardCharsets.UTF_8));
        if (node == null) {
            throw new AssertionError("not JSON (" + response.status() + "): " + response.body());
        }
        return node;
    }

    /** The root's children and the revision: a refused request must change neither. */
    private static String rootState() throws Exception {
        GatewayClient.Answer children = http.get("/v1/children/");
        return children.json().get("children").toString() + "@" + children.revision();
    }

    @Test
    void aBadPercentEscapeIs400MalformedAndTheConnectionGoesOn() throws Exception {
        String before = rootState();
        try (RawHttp raw = connect()) {
            for (String target : List.of("/v1/nodes/fz%zz", "/v1/nodes/fz%", "/v1/nodes/fz%4", "/v1/nodes/%g0x",
                    "/v1/nodes/ok?version=%zz", "/v1/nodes/ok?ver%=1")) {
                raw.send(request("POST", ascii(target), "HTTP/1.1"));
                RawHttp.Response refused = raw.read();
                assertEquals(400, refused.status(), target + " -> " + refused.body());
                assertEquals("MALFORMED", code(refused), target);
                assertEquals(cluster.member(0).id(), refused.headers().get("x-coordinator-member"));
            }
            raw.send(request("GET", ascii("/health"), "HTTP/1.1"));
            assertEquals(200, raw.read().status());
        }
        assertEquals(before, rootState());
    }

    @Test
    void aPathThatIsNotUtf8IsInvalidPathAndCreatesNothing() throws Exception {
        String before = rootState();
        List<byte[]> targets = List.of(
                ascii("/v1/nodes/bad%C0%AF"),              // overlong '/'
                ascii("/v1/nodes/bad%C0%AFx"),
                ascii("/v1/nodes/bad%FF"),
                ascii("/v1/nodes/bad%C3%41"),              // a lead byte without its continuation
                ascii("/v1/nodes/bad%ED%A0%80"),           // a UTF-16 surrogate, encoded
                ascii("/v1/nodes/bad%F4%90%80%80"),        // past U+10FFFF
                ascii("/v1/nodes/bad%E2%82"),              // cut short
                concat("/v1/nodes/raw", 0xC0, 0xAF),       // the same, as raw bytes
                concat("/v1/nodes/raw", 0xFF),
                concat("/v1/nodes/raw", 0xE9, 'x'),        // Latin-1, not UTF-8
                concat("/v1/nodes/raw%41", 0x80));
        try (RawHttp raw = connect()) {
            for (byte[] target : targets) {
                String shown = new String(target, StandardCharsets.ISO_8859_1);
                raw.send(request("POST", target, "HTTP/1.1"));
                RawHttp.Response refused = raw.read();
                assertEquals(400, refused.status(), shown + " -> " + refused.body());
                assertEquals("INVALID_PATH", code(refused), shown);
            }
            // Every route's path is checked, not only the node routes'.
            raw.send(request("GET", ascii("/v1/children/bad%C0%AF"), "HTTP/1.1"));
            assertEquals("INVALID_PATH", code(raw.read()));
            raw.send(request("GET", ascii("/health"), "HTTP/1.1"));
            assertEquals(200, raw.read().status());
        }
        assertEquals(before, rootState());
    }

    @Test
    void validUtf8NamesOneNodeWhetherEscapedOrRawAndAReplacementCharacterSentAsSuchIsAName() throws Exception {
        try (RawHttp raw = connect()) {
            raw.send(request("POST", ascii("/v1/nodes/caf%C3%A9"), "HTTP/1.1"));
            RawHttp.Response created = raw.read();
            assertEquals(201, created.status(), created.body());
            assertEquals("/caf\u00e9", json(created).get("path").asText());
            raw.send(request("POST", concat("/v1/nodes/caf", 0xC3, 0xA9), "HTTP/1.1"));
            RawHttp.Response again = raw.read();
            assertEquals(409, again.status(), again.body());
            assertEquals("NODE_EXISTS", code(again));
            // U+FFFD that the client meant (validly encoded) is a character like any other.
            raw.send(request("POST", ascii("/v1/nodes/meant%EF%BF%BD"), "HTTP/1.1"));
            RawHttp.Response replacement = raw.read();
            assertEquals(201, replacement.status(), replacement.body());
            assertEquals("/meant\ufffd", json(replacement).get("path").asText());
        }
    }

    @Test
    void onlyHttp10And11AreServedAnyOtherVersionGets505() throws Exception {
        for (String version : List.of("HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/2", "HTTP/3")) {
            try (RawHttp raw = connect()) {
                raw.send(request("GET", ascii("/health"), version));
                RawHttp.Response refused = raw.read();
                assertEquals(505, refused.status(), version + " -> " + refused.body());
                assertEquals("HTTP_VERSION_NOT_SUPPORTED", code(refused), version);
                assertTrue(raw.closedByServer(), version);
            }
        }
        for (String version : List.of("HTTP/1.0", "HTTP/1.1")) {
            try (RawHttp raw = connect()) {
                raw.send(request("GET", ascii("/health"), version));
                assertEquals(200, raw.read().status(), version);
            }
        }
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestsStillGetsEveryReplyInOrder() throws Exception {
        try (RawHttp raw = connect()) {
            raw.send(request("POST", ascii("/v1/nodes/half-closed"), "HTTP/1.1"));
            raw.shutdownOutput();
            RawHttp.Response created = raw.read();
            assertEquals(201, created.status(), created.body());
            assertTrue(raw.closedByServer(), "the member closes once the last reply is out");
        }
        assertEquals(200, http.get("/v1/nodes/half-closed").status());
        try (RawHttp raw = connect()) {
            for (String child : List.of("a", "b", "c")) {
                raw.send(request("POST", ascii("/v1/nodes/half-closed/" + child), "HTTP/1.1"));
            }
            raw.shutdownOutput();
            for (String child : List.of("a", "b", "c")) {
                RawHttp.Response created = raw.read();
                assertEquals(201, created.status(), created.body());
                assertEquals("/half-closed/" + child, json(created).get("path").asText());
            }
            assertTrue(raw.closedByServer());
        }
        assertEquals("[\"a\",\"b\",\"c\"]", http.get("/v1/children/half-closed").json().get("children").toString());
    }

    @Test
    void aHalfCloseWithNothingInFlightClosesTheConnection() throws Exception {
        try (RawHttp raw = connect()) {
            raw.send(request("GET", ascii("/health"), "HTTP/1.1"));
            assertEquals(200, raw.read().status());
            raw.shutdownOutput();
            assertTrue(raw.closedByServer());
        }
        assertEquals(200, http.get("/health").status());
    }
}

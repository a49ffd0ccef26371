package io.coordinator.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.Codec;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How the gateway renders results as JSON. Stats and member status use the protocol's JSON codec,
 * so they read exactly as in {@code ctl --json}. Node data is always base64 in {@code data}, plus
 * the text in {@code utf8} when the bytes are valid UTF-8.
 */
final class Json {
    private static final ObjectMapper MAPPER = Codec.json().mapper();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** The JSON in {@code bytes}, or null when they are not JSON. */
    static JsonNode parse(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void putData(ObjectNode node, byte[] data) {
        node.put("data", Base64.getEncoder().encodeToString(data));
        String text = utf8(data);
        if (text != null) {
            node.put("utf8", text);
        }
    }

    static void putStat(ObjectNode node, String field, Stat stat) {
        node.set(field, stat == null ? node.nullNode() : tree(stat));
    }

    /** The text of {@code data}, or null when it is not valid UTF-8. */
    static String utf8(byte[] data) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** One result of a transaction branch, tagged with the protocol's type name. */
    static ObjectNode result(Response response) {
        ObjectNode node = object();
        if (response instanceof Response.Created created) {
            node.put("type", "created").put("path", created.path());
            putStat(node, "stat", created.stat());
        } else if (response instanceof Response.Data data) {
            node.put("type", "data");
            putData(node, data.data());
            putStat(node, "stat", data.stat());
        } else if (response instanceof Response.Updated updated) {
            node.put("type", "updated");
            putStat(node, "stat", updated.stat());
        } else if (response instanceof Response.Deleted deleted) {
            node.put("type", "deleted").put("path", deleted.path()).put("deleted", deleted.count());
        } else if (response instanceof Response.ExistsResult exists) {
            node.put("type", "exists").put("exists", exists.exists());
            putStat(node, "stat", exists.stat());
        } else if (response instanceof Response.ChildrenResult children) {
            node.put("type", "children");
            children(node, children);
        } else if (response instanceof Response.Failure failure) {
            node.put("type", "failure").put("code", failure.code().name()).put("message", failure.message());
        } else {
            node.setAll((ObjectNode) tree(response));
        }
        return node;
    }

    static void children(ObjectNode node, Response.ChildrenResult children) {
        ArrayNode names = node.putArray("children");
        children.names().forEach(names::add);
        if (!children.stats().isEmpty()) {
            ArrayNode stats = node.putArray("stats");
            children.stats().forEach(stat -> stats.add(tree(stat)));
        }
        putStat(node, "stat", children.parentStat());
    }
}

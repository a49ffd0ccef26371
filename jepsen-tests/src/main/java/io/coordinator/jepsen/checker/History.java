package io.coordinator.jepsen.checker;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A history read from JSON Lines, one event a line in real-time order, with Jepsen's fields:
 * {@code {"process": 3, "type": "invoke", "f": "cas", "key": "x", "value": [3, 0]}}. Strict: an
 * unknown {@code type} or {@code f}, a completion with no invocation outstanding on its process, a
 * second invocation while one is outstanding, or a completion whose {@code f} or {@code key} differs
 * from its invocation's is an error naming the line. Invocations still outstanding at the end have an
 * unknown outcome. Events of the process {@code "nemesis"} (Jepsen's fault injector) are skipped, as are
 * blank lines and fields other than those above.
 *
 * @param source     the file name, for messages
 * @param operations in invocation order
 * @param lines      lines read
 */
public record History(String source, List<Operation> operations, long lines) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> TYPES = Set.of("invoke", "ok", "fail", "info");

    public History {
        operations = List.copyOf(operations);
    }

    public static History read(Path file, Vocabulary vocabulary) throws IOException, HistoryFormatException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, file.toString(), vocabulary);
        }
    }

    public static History read(BufferedReader reader, String source, Vocabulary vocabulary) throws IOException, HistoryFormatException {
        Builder builder = new Builder(source, vocabulary);
        String text;
        long line = 0;
        while ((text = reader.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            JsonNode event;
            try {
                event = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new HistoryFormatException(source, line, "not JSON: " + e.getOriginalMessage());
            }
            if (event == null || !event.isObject()) {
                throw new HistoryFormatException(source, line, "an event must be a JSON object");
            }
            String process = scalarText(event.get("process"), "process", source, line, false);
            if (process.equals("nemesis")) {
                continue;
            }
            String type = scalarText(event.get("type"), "type", source, line, false);
            String f = scalarText(event.get("f"), "f", source, line, false);
            String key = event.has("key") ? scalarText(event.get("key"), "key", source, line, true) : null;
            Object value;
            try {
                value = Values.of(event.get("value"));
            } catch (IllegalArgumentException e) {
                throw new HistoryFormatException(source, line, e.getMessage());
            }
            builder.event(line, process, type, f, key, event.has("key"), value);
        }
        return builder.finish(line);
    }

    private static String scalarText(JsonNode node, String field, String source, long line, boolean nullable)
            throws HistoryFormatException {
        if (node == null || node.isNull()) {
            if (nullable) {
                return null;
            }
            throw new HistoryFormatException(source, line, "no \"" + field + "\"");
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber()) {
            return node.asText();
        }
        throw new HistoryFormatException(source, line, "\"" + field + "\" must be a string or an integer, not " + node);
    }

    /** Matches completions to invocations, event by event; also used by {@link JepsenLog}. */
    static final class Builder {
        private record Pending(long line, String f, String key, Object value, int id) {
        }

        private final String source;
        private final Vocabulary vocabulary;
        private final Map<String, Pending> outstanding = new HashMap<>();
        private final Map<Integer, Operation> done = new LinkedHashMap<>();
        private int nextId;

        Builder(String source, Vocabulary vocabulary) {
            this.source = source;
            this.vocabulary = Objects.requireNonNull(vocabulary);
        }

        void event(long line, String process, String type, String f, String key, boolean hasKey, Object value)
                throws HistoryFormatException {
            if (!TYPES.contains(type)) {
                throw new HistoryFormatException(source, line, "unknown type \"" + type + "\"; known: invoke, ok, fail, info");
            }
            if (!vocabulary.functions().contains(f)) {
                throw new HistoryFormatException(source, line, "unknown f \"" + f + "\" for the " + vocabulary.name()
                        + " model; known: " + String.join(", ", vocabulary.functions().stream().sorted().toList()));
            }
            Pending pending = outstanding.get(process);
            if (type.equals("invoke")) {
                if (pending != null) {
                    throw new HistoryFormatException(source, line, "process " + process + " invokes again while its invocation on line "
                            + pending.line() + " is outstanding");
                }
                try {
                    vocabulary.checkInvocation(f, value);
                } catch (IllegalArgumentException e) {
                    throw new HistoryFormatException(source, line, e.getMessage());
                }
                outstanding.put(process, new Pending(line, f, key, value, nextId++));
                return;
            }
            if (pending == null) {
                throw new HistoryFormatException(source, line, "a completion (" + type + ") of process " + process
                        + ", which has no invocation outstanding");
            }
            if (!pending.f().equals(f)) {
                throw new HistoryFormatException(source, line, "completes \"" + f + "\" but process " + process + " invoked \""
                        + pending.f() + "\" on line " + pending.line());
            }
            if (hasKey && !Objects.equals(key, pending.key())) {
                throw new HistoryFormatException(source, line, "completes key " + key + " but process " + process + " invoked key "
                        + pending.key() + " on line " + pending.line());
            }
            outstanding.remove(process);
            Operation op = switch (type) {
                case "ok" -> {
                    Object output;
                    try {
                        output = vocabulary.okOutput(f, pending.value(), value);
                    } catch (IllegalArgumentException e) {
                        throw new HistoryFormatException(source, line, e.getMessage());
                    }
                    yield new Operation(pending.id(), process, pending.key(), f, pending.value(), output, Outcome.OK, pending.line(),
                            line, line);
                }
                case "fail" -> new Operation(pending.id(), process, pending.key(), f, pending.value(), null, Outcome.FAIL,
                        pending.line(), line, line);
                default -> new Operation(pending.id(), process, pending.key(), f, pending.value(), null, Outcome.UNKNOWN,
                        pending.line(), Operation.NEVER, line);
            };
            done.put(op.id(), op);
        }

        History finish(long lines) {
            for (Map.Entry<String, Pending> entry : outstanding.entrySet()) {
                Pending pending = entry.getValue();
                done.put(pending.id(), new Operation(pending.id(), entry.getKey(), pending.key(), pending.f(), pending.value(), null,
                        Outcome.UNKNOWN, pending.line(), Operation.NEVER, 0));
            }
            List<Operation> ops = new ArrayList<>(done.values());
            ops.sort((a, b) -> Integer.compare(a.id(), b.id()));
            return new History(source, Collections.unmodifiableList(ops), lines);
        }
    }
}

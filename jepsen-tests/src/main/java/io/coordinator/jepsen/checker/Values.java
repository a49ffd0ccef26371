package io.coordinator.jepsen.checker;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Values of a history in a form that compares by meaning: JSON numbers become {@link Long} when
 * integral and in range, else {@link BigDecimal} without trailing zeros (so {@code 3}, {@code 3.0} and
 * {@code 3e0} are equal); strings stay {@link String}; arrays become unmodifiable lists; JSON null is
 * {@code null}. Objects and booleans are refused: no model here gives them a meaning.
 */
public final class Values {
    private Values() {
    }

    public static Object of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            BigDecimal decimal = node.decimalValue().stripTrailingZeros();
            if (decimal.scale() <= 0) {
                try {
                    return decimal.longValueExact();
                } catch (ArithmeticException outOfRange) {
                    return decimal;
                }
            }
            return decimal;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>(node.size());
            for (JsonNode item : node) {
                items.add(of(item));
            }
            return Collections.unmodifiableList(items);
        }
        throw new IllegalArgumentException("a value must be a number, a string, an array or null, not " + node.getNodeType()
                .name().toLowerCase(java.util.Locale.ROOT));
    }

    /** A number or a string: what a register holds and a set contains. */
    public static boolean isScalar(Object value) {
        return value instanceof Long || value instanceof BigDecimal || value instanceof String;
    }

    /** JSON-like text: {@code 3}, {@code "a"}, {@code [3, 0]}, {@code null}. */
    public static String show(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String text) {
            return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        if (value instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(show(list.get(i)));
            }
            return out.append(']').toString();
        }
        return value.toString();
    }
}

package io.coordinator.jepsen.checker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;

/** Hand-made histories in a terse form: one event a line, {@code process type f value [key]}, the value as JSON. */
final class Histories {
    private Histories() {
    }

    static History of(Vocabulary vocabulary, String events) {
        try {
            return History.read(new BufferedReader(new StringReader(jsonLines(events))), "test", vocabulary);
        } catch (HistoryFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 3 invoke cas [3,0] x} becomes {@code {"process":3,"type":"invoke","f":"cas","value":[3,0],"key":"x"}}. */
    static String jsonLines(String events) {
        StringBuilder out = new StringBuilder();
        for (String line : events.strip().split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 4 || words.length > 5) {
                throw new IllegalArgumentException("want process type f value [key]: " + line);
            }
            out.append("{\"process\":").append(words[0]).append(",\"type\":\"").append(words[1]).append("\",\"f\":\"")
                    .append(words[2]).append("\",\"value\":").append(words[3]);
            if (words.length == 5) {
                out.append(",\"key\":\"").append(words[4]).append('"');
            }
            out.append("}\n");
        }
        return out.toString();
    }
}

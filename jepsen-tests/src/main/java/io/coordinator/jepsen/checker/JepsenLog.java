package io.coordinator.jepsen.checker;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the history lines of a Jepsen test's log, as older Jepsen versions printed them:
 * {@code INFO  jepsen.util - 3	:invoke	:cas	[3 0]}, i.e. process, type, f and value in EDN
 * ({@code nil}, integers, strings, keywords such as {@code :timed-out}, vectors). Other log lines are
 * skipped, and so are the nemesis's. The events then mean what they mean in the JSON Lines format;
 * the history has one key.
 */
public final class JepsenLog {
    private static final Pattern EVENT = Pattern.compile("^\\S+\\s+jepsen\\.util\\s+-\\s+(\\S+)\\t(\\S+)\\t(\\S+)\\t?(.*)$");
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");

    private JepsenLog() {
    }

    public static History read(Path file, Vocabulary vocabulary) throws IOException, HistoryFormatException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, file.toString(), vocabulary);
        }
    }

    public static History read(BufferedReader reader, String source, Vocabulary vocabulary) throws IOException, HistoryFormatException {
        History.Builder builder = new History.Builder(source, vocabulary);
        String text;
        long line = 0;
        while ((text = reader.readLine()) != null) {
            line++;
            Matcher event = EVENT.matcher(text);
            if (!event.matches()) {
                continue;
            }
            String process = event.group(1);
            if (process.equals(":nemesis")) {
                continue;
            }
            if (!INTEGER.matcher(process).matches()) {
                throw new HistoryFormatException(source, line, "process " + process + " is not an integer");
            }
            Object value;
            try {
                value = edn(event.group(4).strip());
            } catch (IllegalArgumentException e) {
                throw new HistoryFormatException(source, line, e.getMessage());
            }
            builder.event(line, process, keyword(event.group(2), source, line), keyword(event.group(3), source, line), null, false, value);
        }
        return builder.finish(line);
    }

    private static String keyword(String text, String source, long line) throws HistoryFormatException {
        if (!text.startsWith(":")) {
            throw new HistoryFormatException(source, line, "want a keyword, not " + text);
        }
        return text.substring(1);
    }

    /** The EDN a Jepsen register or set history uses: nil, integers, strings without escapes, keywords, vectors. */
    static Object edn(String text) {
        if (text.isEmpty() || text.equals("nil")) {
            return null;
        }
        if (INTEGER.matcher(text).matches()) {
            return Long.parseLong(text);
        }
        if (text.startsWith(":")) {
            return text; // e.g. :timed-out; only ever the value of a fail or an info, which the models ignore
        }
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"") && text.indexOf('\\') < 0) {
            return text.substring(1, text.length() - 1);
        }
        if (text.startsWith("[") && text.endsWith("]")) {
            List<Object> items = new ArrayList<>();
            String inner = text.substring(1, text.length() - 1).strip();
            if (!inner.isEmpty()) {
                for (String item : inner.split("[\\s,]+")) {
                    items.add(edn(item));
                }
            }
            return Collections.unmodifiableList(items);
        }
        throw new IllegalArgumentException("cannot read the value " + text);
    }
}

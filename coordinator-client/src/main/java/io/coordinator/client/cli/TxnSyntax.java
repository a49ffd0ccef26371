package io.coordinator.client.cli;

import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Op;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text form of compares and ops for {@code ctl txn}. One clause per argument; words split on
 * blanks, with '...' or "..." to keep blanks inside a word and \ to escape the next character.
 *
 * <pre>
 * compare:  version PATH OP N | mod PATH OP N | create PATH OP N | value PATH OP TEXT
 *           | exists PATH | missing PATH | session ID          (OP: = == != &lt; &gt;)
 * op:       create PATH [DATA [MODE [TTL_MS]]] | set PATH DATA [VERSION] | delete PATH [VERSION] [recursive]
 *           | get PATH | exists PATH | ls PATH [-l]
 * </pre>
 */
final class TxnSyntax {
    private TxnSyntax() {
    }

    static final String COMPARE_HELP = "version|mod|create PATH OP N, value PATH OP TEXT, exists PATH, missing PATH, "
            + "session ID; OP is one of = != < >";
    static final String OP_HELP = "create PATH [DATA [MODE [TTL_MS]]], set PATH DATA [VERSION], "
            + "delete PATH [VERSION] [recursive], get PATH, exists PATH, ls PATH [-l]";

    static Compare parseCompare(String text) {
        List<String> w = words(text);
        if (w.isEmpty()) {
            throw new IllegalArgumentException("empty compare");
        }
        String kind = w.get(0).toLowerCase(Locale.ROOT);
        switch (kind) {
            case "exists", "missing" -> {
                expectCount(w, 2, text);
                return Compare.exists(w.get(1), kind.equals("exists"));
            }
            case "session" -> {
                expectCount(w, 2, text);
                return Compare.sessionAlive(parseLong(w.get(1), "session id"));
            }
            case "version", "mod", "modrevision", "mod-revision", "create", "createrevision", "create-revision", "value" -> {
                expectCount(w, 4, text);
                String path = w.get(1);
                Compare.Operator op = operator(w.get(2));
                String operand = w.get(3);
                return switch (kind) {
                    case "version" -> Compare.version(path, op, parseLong(operand, "version"));
                    case "mod", "modrevision", "mod-revision" -> Compare.modRevision(path, op, parseLong(operand, "revision"));
                    case "value" -> Compare.value(path, op, operand.getBytes(StandardCharsets.UTF_8));
                    default -> Compare.createRevision(path, op, parseLong(operand, "revision"));
                };
            }
            default -> throw new IllegalArgumentException("unknown compare '" + w.get(0) + "' in '" + text
                    + "' (expected " + COMPARE_HELP + ")");
        }
    }

    static Op parseOp(String text) {
        List<String> w = words(text);
        if (w.isEmpty()) {
            throw new IllegalArgumentException("empty op");
        }
        String kind = w.get(0).toLowerCase(Locale.ROOT);
        switch (kind) {
            case "create" -> {
                expectBetween(w, 2, 5, text);
                byte[] data = w.size() > 2 ? w.get(2).getBytes(StandardCharsets.UTF_8) : new byte[0];
                CreateMode mode = w.size() > 3 ? Modes.parse(w.get(3)) : CreateMode.PERSISTENT;
                long ttl = w.size() > 4 ? parseLong(w.get(4), "ttl") : 0;
                return new Op.Create(w.get(1), data, mode, ttl);
            }
            case "set" -> {
                expectBetween(w, 3, 4, text);
                int version = w.size() > 3 ? (int) parseLong(w.get(3), "version") : -1;
                return new Op.SetData(w.get(1), w.get(2).getBytes(StandardCharsets.UTF_8), version);
            }
            case "delete" -> {
                expectBetween(w, 2, 4, text);
                int version = -1;
                boolean recursive = false;
                for (String word : w.subList(2, w.size())) {
                    if (word.equalsIgnoreCase("recursive") || word.equals("-r")) {
                        recursive = true;
                    } else {
                        version = (int) parseLong(word, "version");
                    }
                }
                return new Op.Delete(w.get(1), version, recursive);
            }
            case "get" -> {
                expectCount(w, 2, text);
                return new Op.Get(w.get(1));
            }
            case "exists" -> {
                expectCount(w, 2, text);
                return new Op.Exists(w.get(1));
            }
            case "ls", "children" -> {
                expectBetween(w, 2, 3, text);
                boolean withStats = w.size() == 3;
                if (withStats && !w.get(2).equals("-l")) {
                    throw new IllegalArgumentException("unexpected '" + w.get(2) + "' in '" + text + "'");
                }
                return new Op.Children(w.get(1), withStats);
            }
            default -> throw new IllegalArgumentException("unknown op '" + w.get(0) + "' in '" + text
                    + "' (expected " + OP_HELP + ")");
        }
    }

    private static Compare.Operator operator(String word) {
        return switch (word) {
            case "=", "==" -> Compare.Operator.EQUAL;
            case "!=" -> Compare.Operator.NOT_EQUAL;
            case "<" -> Compare.Operator.LESS;
            case ">" -> Compare.Operator.GREATER;
            default -> throw new IllegalArgumentException("unknown operator '" + word + "' (expected = != < >)");
        };
    }

    static long parseLong(String word, String what) {
        try {
            return word.startsWith("0x") || word.startsWith("0X")
                    ? Long.parseUnsignedLong(word.substring(2), 16)
                    : Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + word + "' is not a number");
        }
    }

    private static void expectCount(List<String> w, int count, String text) {
        expectBetween(w, count, count, text);
    }

    private static void expectBetween(List<String> w, int min, int max, String text) {
        if (w.size() < min || w.size() > max) {
            throw new IllegalArgumentException("'" + text + "' has " + (w.size() - 1) + " argument(s); expected "
                    + (min == max ? String.valueOf(min - 1) : (min - 1) + " to " + (max - 1)));
        }
    }

    /** Splits on blanks outside quotes. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                word.append(text.charAt(++i));
                inWord = true;
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed quote in '" + text + "'");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}

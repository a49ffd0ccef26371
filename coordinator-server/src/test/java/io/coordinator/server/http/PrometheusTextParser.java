package io.coordinator.server.http;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A deliberately strict reader of the Prometheus text exposition format 0.0.4, for tests: anything
 * the format does not allow, or that Prometheus would choke on (a TYPE after samples, a family
 * split in two, a duplicate series, a bad escape), is an {@link IllegalArgumentException} naming
 * the line.
 */
final class PrometheusTextParser {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    static final class Family {
        final String name;
        String type;
        String help;
        final List<Sample> samples = new ArrayList<>();

        Family(String name) {
            this.name = name;
        }

        /** The samples named exactly {@code sampleName} whose labels include every given pair. */
        List<Sample> find(String sampleName, String... labelPairs) {
            List<Sample> found = new ArrayList<>();
            for (Sample sample : samples) {
                boolean matches = sample.name().equals(sampleName);
                for (int i = 0; matches && i < labelPairs.length; i += 2) {
                    matches = labelPairs[i + 1].equals(sample.labels().get(labelPairs[i]));
                }
                if (matches) {
                    found.add(sample);
                }
            }
            return found;
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Set<String> closed = new HashSet<>();
    private final Set<String> series = new HashSet<>();
    private String current;
    private int lineNumber;

    private PrometheusTextParser() {
    }

    static Map<String, Family> parse(String text) {
        PrometheusTextParser parser = new PrometheusTextParser();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a newline");
        }
        for (String line : text.split("\n", -1)) {
            parser.lineNumber++;
            parser.line(line);
        }
        return parser.families;
    }

    private void line(String line) {
        if (line.isEmpty()) {
            return;
        }
        if (line.startsWith("#")) {
            comment(line);
        } else {
            sample(line);
        }
    }

    private void comment(String line) {
        String[] parts = line.split(" ", 4);
        if (parts.length < 3 || !parts[0].equals("#") || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
            return; // a plain comment
        }
        String name = parts[2];
        requireName(name);
        Family family = family(name);
        if (!family.samples.isEmpty() || closed.contains(name)) {
            fail(parts[1] + " for " + name + " after its samples");
        }
        if (parts[1].equals("HELP")) {
            if (family.help != null) {
                fail("second HELP for " + name);
            }
            family.help = unescapeHelp(parts.length == 4 ? parts[3] : "");
        } else {
            if (family.type != null) {
                fail("second TYPE for " + name);
            }
            if (parts.length != 4 || !TYPES.contains(parts[3])) {
                fail("unknown type in: " + line);
            }
            family.type = parts[3];
        }
        switchTo(name);
    }

    private void sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        requireName(name);
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            fail("expected a space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2) {
            fail("expected a value and an optional timestamp");
        }
        double value = value(rest[0]);
        if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
            fail("bad timestamp " + rest[1]);
        }
        String familyName = familyOf(name);
        Family family = family(familyName);
        if (closed.contains(familyName)) {
            fail("samples of " + familyName + " are not together");
        }
        switchTo(familyName);
        if (!series.add(name + labels)) {
            fail("duplicate series " + name + labels);
        }
        checkType(family, name, labels, value);
        family.samples.add(new Sample(name, labels, value));
    }

    private void checkType(Family family, String name, Map<String, String> labels, double value) {
        String type = family.type == null ? "untyped" : family.type;
        switch (type) {
            case "counter" -> {
                if (value < 0) {
                    fail("negative counter " + name);
                }
            }
            case "summary" -> {
                if (name.equals(family.name)) {
                    String quantile = labels.get("quantile");
                    if (quantile == null) {
                        fail("summary sample without quantile: " + name);
                    }
                    double q = value(quantile);
                    if (q < 0 || q > 1) {
                        fail("quantile out of range: " + quantile);
                    }
                } else if (name.endsWith("_count") && (value < 0 || value != Math.rint(value))) {
                    fail("bad count " + value);
                }
            }
            case "histogram" -> {
                if (name.endsWith("_bucket") && !labels.containsKey("le")) {
                    fail("bucket without le");
                }
            }
            default -> {
            }
        }
    }

    /** _sum/_count/_bucket belong to the summary or histogram they extend, if it was declared. */
    private String familyOf(String name) {
        for (String suffix : new String[]{"_sum", "_count", "_bucket"}) {
            if (name.endsWith(suffix)) {
                Family base = families.get(name.substring(0, name.length() - suffix.length()));
                if (base != null && ("summary".equals(base.type) || "histogram".equals(base.type))) {
                    return base.name;
                }
            }
        }
        return name;
    }

    private int labels(String line, int i, Map<String, String> labels) {
        while (true) {
            if (i < line.length() && line.charAt(i) == '}') {
                return i + 1;
            }
            int start = i;
            while (i < line.length() && line.charAt(i) != '=') {
                i++;
            }
            String label = line.substring(start, i);
            if (!LABEL.matcher(label).matches()) {
                fail("bad label name '" + label + "'");
            }
            if (i + 1 >= line.length() || line.charAt(i + 1) != '"') {
                fail("label value must be quoted");
            }
            i += 2;
            StringBuilder value = new StringBuilder();
            while (true) {
                if (i >= line.length()) {
                    fail("unterminated label value");
                }
                char c = line.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    if (i >= line.length()) {
                        fail("dangling escape");
                    }
                    char e = line.charAt(i++);
                    switch (e) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> fail("bad escape \\" + e + " in a label value");
                    }
                } else {
                    value.append(c);
                }
            }
            if (labels.put(label, value.toString()) != null) {
                fail("label " + label + " given twice");
            }
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            } else if (i >= line.length() || line.charAt(i) != '}') {
                fail("expected , or } after a label");
            }
        }
    }

    private double value(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!FLOAT.matcher(text).matches()) {
                    fail("not a float: '" + text + "'");
                }
                return Double.parseDouble(text);
        }
    }

    private String unescapeHelp(String help) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i >= help.length()) {
                fail("dangling escape in HELP");
            }
            char e = help.charAt(i);
            if (e == '\\') {
                out.append('\\');
            } else if (e == 'n') {
                out.append('\n');
            } else {
                fail("bad escape \\" + e + " in HELP");
            }
        }
        return out.toString();
    }

    private Family family(String name) {
        return families.computeIfAbsent(name, Family::new);
    }

    private void switchTo(String name) {
        if (current != null && !current.equals(name)) {
            closed.add(current);
        }
        current = name;
    }

    private void requireName(String name) {
        if (!NAME.matcher(name).matches()) {
            fail("bad metric name '" + name + "'");
        }
    }

    private void fail(String message) {
        throw new IllegalArgumentException("line " + lineNumber + ": " + message);
    }
}

package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@link HtmlReport} draws, read back from a run folder's files: the operations of
 * {@code history.jsonl} with their times, the faults and phases of {@code timeline.txt}, and
 * {@code verdict.json}. Lenient where the checker is strict: a report of a partial or odd run is more use
 * than none, so any {@code f} is accepted, a completion with no invocation is skipped, and a history
 * without {@code time} fields is laid out by line number (1 ms a line), which {@link #timed} says.
 *
 * @param ops        in invocation order
 * @param faults     fault bands, in start order
 * @param marks      the run's phases and the nemesis's other notes, as instants
 * @param verdict    {@code verdict.json}, or a missing node when the run was not judged
 * @param highlighted the invocation lines of the counterexample's operations
 * @param timed      whether the history carries {@code time}
 */
record RunFolder(List<Op> ops, List<Band> faults, List<Mark> marks, JsonNode verdict, Set<Long> highlighted, boolean timed) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TIMELINE_LINE = Pattern.compile("\\s*(-?\\d+(?:\\.\\d+)?)s (.*)");
    private static final long NANOS_PER_UNTIMED_LINE = 1_000_000L;

    /** How an operation ended; {@code PENDING}: the history ended before it did. */
    enum Outcome { OK, FAIL, INFO, PENDING }

    /**
     * @param endNanos the completion's time; for a pending operation, the history's last time
     * @param output   the completion's value as JSON text (what a read saw), {@code null} when none
     */
    record Op(String process, String f, String key, String value, String output, Outcome outcome, long startNanos,
              long endNanos, long invokeLine, long completeLine) {
        long latencyNanos() {
            return endNanos - startNanos;
        }
    }

    /** A fault in effect from {@code startNanos} to {@code endNanos} (the end of the run if never healed). */
    record Band(String what, long startNanos, long endNanos, boolean healed) {
    }

    record Mark(String what, long atNanos) {
    }

    static RunFolder read(Path folder) throws IOException {
        List<Op> ops = new ArrayList<>();
        boolean timed = readHistory(folder.resolve("history.jsonl"), ops);
        long endNanos = ops.stream().mapToLong(Op::endNanos).max().orElse(0);
        List<Band> faults = new ArrayList<>();
        List<Mark> marks = new ArrayList<>();
        readTimeline(folder.resolve("timeline.txt"), endNanos, faults, marks);
        JsonNode verdict = MissingNode.getInstance();
        Set<Long> highlighted = new HashSet<>();
        Path verdictFile = folder.resolve("verdict.json");
        if (Files.exists(verdictFile)) {
            verdict = JSON.readTree(verdictFile.toFile());
            for (JsonNode op : verdict.path("counterexample").path("operations")) {
                highlighted.add(op.path("invokeLine").asLong());
            }
        }
        return new RunFolder(List.copyOf(ops), List.copyOf(faults), List.copyOf(marks), verdict, Set.copyOf(highlighted), timed);
    }

    private record Pending(String f, String key, String value, long nanos, long line) {
    }

    /** @return whether every event has a {@code time} */
    private static boolean readHistory(Path file, List<Op> ops) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no history.jsonl: not a harness run folder?");
        }
        Map<String, Pending> outstanding = new HashMap<>();
        Map<Long, Op> byInvokeLine = new java.util.TreeMap<>();
        boolean timed = true;
        long lastNanos = 0;
        long line = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode event;
                try {
                    event = JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    continue; // a torn last line of an interrupted run
                }
                String process = event.path("process").asText();
                if (process.equals("nemesis")) {
                    continue;
                }
                timed &= event.has("time");
                long nanos = event.has("time") ? event.get("time").asLong() : line * NANOS_PER_UNTIMED_LINE;
                lastNanos = Math.max(lastNanos, nanos);
                String type = event.path("type").asText();
                String f = event.path("f").asText();
                String value = event.has("value") ? event.get("value").toString() : "null";
                if (type.equals("invoke")) {
                    String key = event.hasNonNull("key") ? event.get("key").asText() : null;
                    outstanding.put(process, new Pending(f, key, value, nanos, line));
                    continue;
                }
                Pending p = outstanding.remove(process);
                if (p == null) {
                    continue;
                }
                Outcome outcome = switch (type) {
                    case "ok" -> Outcome.OK;
                    case "fail" -> Outcome.FAIL;
                    default -> Outcome.INFO;
                };
                byInvokeLine.put(p.line(), new Op(process, p.f(), p.key(), p.value(), outcome == Outcome.OK ? value : null, outcome,
                        p.nanos(), Math.max(p.nanos(), nanos), p.line(), line));
            }
        }
        for (Map.Entry<String, Pending> entry : outstanding.entrySet()) {
            Pending p = entry.getValue();
            byInvokeLine.put(p.line(), new Op(entry.getKey(), p.f(), p.key(), p.value(), null, Outcome.PENDING, p.nanos(),
                    Math.max(p.nanos(), lastNanos), p.line(), 0));
        }
        ops.addAll(byInvokeLine.values());
        return timed;
    }

    /**
     * Reads the timeline's own section (the fault backend's link changes after it repeat the faults):
     * {@code start F: ...} opens a band closed by the next {@code heal F}; {@code -- ...} lines and the
     * nemesis's other notes become marks.
     */
    private static void readTimeline(Path file, long endNanos, List<Band> faults, List<Mark> marks) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        Map<String, Band> open = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("# the link changes")) {
                break;
            }
            Matcher m = TIMELINE_LINE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            long nanos = Math.round(Double.parseDouble(m.group(1)) * 1e9);
            String what = m.group(2);
            if (what.startsWith("start ")) {
                String rest = what.substring("start ".length());
                Band previous = open.put(faultWord(rest), new Band(rest, nanos, -1, false));
                if (previous != null) {
                    faults.add(new Band(previous.what(), previous.startNanos(), nanos, false));
                }
            } else if (what.startsWith("heal ")) {
                Band band = open.remove(faultWord(what.substring("heal ".length())));
                if (band != null) {
                    faults.add(new Band(band.what(), band.startNanos(), nanos, true));
                } else {
                    marks.add(new Mark(what, nanos));
                }
            } else {
                marks.add(new Mark(what.startsWith("-- ") ? what.substring(3) : what, nanos));
            }
        }
        for (Band band : open.values()) {
            faults.add(new Band(band.what(), band.startNanos(), Math.max(band.startNanos(), endNanos), false));
        }
        faults.sort(java.util.Comparator.comparingLong(Band::startNanos));
    }

    /** {@code partition: isolate m1; ...} -> {@code partition}. */
    private static String faultWord(String text) {
        int end = 0;
        while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '-')) {
            end++;
        }
        return text.substring(0, end);
    }
}

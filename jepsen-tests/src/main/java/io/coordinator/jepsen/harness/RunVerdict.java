package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coordinator.jepsen.checker.History;
import io.coordinator.jepsen.checker.HistoryFormatException;
import io.coordinator.jepsen.checker.LinearizabilityChecker;
import io.coordinator.jepsen.checker.Operation;
import io.coordinator.jepsen.checker.Outcome;
import io.coordinator.jepsen.checker.RegisterModel;
import io.coordinator.jepsen.checker.Verdict;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checker's verdict on a run's register history, key by key, and its {@code verdict.json}. Each key
 * is judged on its own (linearizability is compositional), so the file says which keys are fine and
 * which are not, not only the first bad one.
 */
public final class RunVerdict {
    private static final Duration SHRINK_MAX = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param counterexample when invalid: operations of this key not linearizable by themselves, or those
     *                       that show a rule broken ({@code shows} says which)
     * @param reason         when unknown: why
     * @param shows          what the counterexample shows, for checkers of rules rather than a model
     *                       (sessions, watch); null: "not linearizable"
     */
    public record KeyResult(String key, Verdict verdict, int ops, List<Operation> counterexample, String reason, String shows) {
        public KeyResult(String key, Verdict verdict, int ops, List<Operation> counterexample, String reason) {
            this(key, verdict, ops, counterexample, reason, null);
        }
    }

    /**
     * @param verdict the worst of the keys' (invalid over unknown over valid)
     * @param details what a workload checks besides linearizability (the set's lost and unexpected
     *                elements, the lock's fenced resource), written as {@code details} in verdict.json
     * @param notes   lines for people about those details, printed after the verdict
     */
    public record Result(Verdict verdict, int ops, List<KeyResult> keys, double seconds, Map<String, Object> details,
                         List<String> notes) {
        public Result {
            keys = List.copyOf(keys);
            details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
            notes = List.copyOf(notes);
        }

        /** A register run's: linearizability key by key, nothing else. */
        public Result(Verdict verdict, int ops, List<KeyResult> keys, double seconds) {
            this(verdict, ops, keys, seconds, Map.of(), List.of());
        }

        /** The first invalid key's result, if any. */
        public KeyResult firstInvalid() {
            return keys.stream().filter(k -> k.verdict() == Verdict.INVALID).findFirst().orElse(null);
        }
    }

    private RunVerdict() {
    }

    /** Judges every key of a register history, within {@code timeLimit} for the whole file. */
    public static Result check(Path history, Duration timeLimit) throws IOException, HistoryFormatException {
        long start = System.nanoTime();
        long deadline = start + timeLimit.toNanos();
        History all = History.read(history, new RegisterModel());
        Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (Operation op : all.operations()) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        List<KeyResult> keys = new ArrayList<>();
        Verdict verdict = Verdict.VALID;
        for (Map.Entry<String, List<Operation>> entry : byKey.entrySet()) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            LinearizabilityChecker.Result result = new LinearizabilityChecker<>(new RegisterModel())
                    .check(new History(all.source(), entry.getValue(), all.lines()), left,
                            left.compareTo(SHRINK_MAX) < 0 ? left : SHRINK_MAX);
            keys.add(new KeyResult(entry.getKey(), result.verdict(), entry.getValue().size(), result.counterexample(),
                    result.reason()));
            verdict = verdict.and(result.verdict());
        }
        return new Result(verdict, all.operations().size(), keys, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Writes {@code verdict.json}: {@code valid}, {@code verdict} (VALID, INVALID or UNKNOWN), {@code ops},
     * {@code keys} (each key's verdict and operation count), {@code counterexample} when invalid, and
     * {@code details} when the workload checks more than linearizability (set, lock), and
     * {@code run}: whatever the caller adds (seed, the command that replays it, fault counts).
     */
    public static void write(Path file, Result result, Map<String, Object> run) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("valid", result.verdict() == Verdict.VALID);
        root.put("verdict", result.verdict().name());
        root.put("ops", result.ops());
        root.put("checkSeconds", Math.round(result.seconds() * 1000) / 1000.0);
        ArrayNode keys = root.putArray("keys");
        for (KeyResult key : result.keys()) {
            ObjectNode node = keys.addObject();
            node.put("key", key.key());
            node.put("verdict", key.verdict().name());
            node.put("ops", key.ops());
            if (key.verdict() == Verdict.UNKNOWN) {
                node.put("reason", key.reason());
            }
        }
        KeyResult invalid = result.firstInvalid();
        if (invalid != null && !invalid.counterexample().isEmpty()) {
            ObjectNode counterexample = root.putObject("counterexample");
            counterexample.put("key", invalid.key());
            ArrayNode ops = counterexample.putArray("operations");
            invalid.counterexample().forEach(op -> ops.add(operation(op)));
            if (invalid.shows() != null) {
                counterexample.put("shows", invalid.shows());
            }
            ArrayNode text = counterexample.putArray("text");
            invalid.counterexample().forEach(op -> text.add(op.describe()));
        }
        if (!result.details().isEmpty()) {
            root.set("details", JSON.valueToTree(result.details()));
        }
        root.set("run", JSON.valueToTree(run));
        Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    }

    /** For people: {@code valid (1234 ops, 5 keys, check 0.31 s)}, and the counterexample's lines when invalid. */
    public static List<String> describe(Result result) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s (%d ops, %d keys, check %.2f s)", result.verdict().word(), result.ops(),
                result.keys().size(), result.seconds()));
        KeyResult invalid = result.firstInvalid();
        if (invalid != null && !invalid.counterexample().isEmpty()) {
            lines.add("  key " + invalid.key() + ": these " + invalid.counterexample().size()
                    + (invalid.shows() == null ? " operations alone are not linearizable:" : " operations show: " + invalid.shows()));
            invalid.counterexample().forEach(op -> lines.add("    " + op.describe()));
        }
        result.keys().stream().filter(k -> k.verdict() == Verdict.UNKNOWN)
                .forEach(k -> lines.add("  unknown: " + k.reason()));
        result.notes().forEach(note -> lines.add("  " + note));
        return lines;
    }

    private static ObjectNode operation(Operation op) {
        ObjectNode node = JSON.createObjectNode();
        node.set("process", op.process().matches("-?\\d{1,18}") ? JSON.valueToTree(Long.parseLong(op.process()))
                : JSON.valueToTree(op.process()));
        node.put("f", op.f());
        node.put("key", op.key());
        node.set("value", JSON.valueToTree(op.input()));
        node.put("type", switch (op.outcome()) {
            case OK -> "ok";
            case FAIL -> "fail";
            case UNKNOWN -> "info";
        });
        if (op.outcome() == Outcome.OK && op.f().equals("read")) {
            node.set("output", JSON.valueToTree(op.output()));
        }
        node.put("invokeLine", op.callLine());
        if (op.completionLine() != 0) {
            node.put("completeLine", op.completionLine());
        }
        return node;
    }
}

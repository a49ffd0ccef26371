package io.coordinator.jepsen.checker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code coordinator check [--model register|mutex|set|watch|sessions] [--time-limit-s N] [--json] FILE...}: judges
 * each history file and prints one line per file, {@code FILE: valid|invalid|unknown (N ops, S s)},
 * followed, when invalid, by indented lines showing why. Exit code: 0 all valid, 1 any invalid, 3 none
 * invalid but some unknown, 2 a usage error or a file that cannot be read or parsed (it wins over the
 * others: a history that was not judged is not valid).
 */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check recorded histories: linearizability of registers or locks, a set's contents, or watches.",
                "Each FILE is JSON Lines, one event a line in real-time order, with Jepsen's fields, e.g.",
                "  {\"process\": 3, \"type\": \"invoke\", \"f\": \"cas\", \"key\": \"x\", \"value\": [3, 0]}",
                "(see jepsen-tests/README.md).",
                "Exit: 0 all valid, 1 any invalid, 3 none invalid but some unknown, 2 usage or parse error."})
public final class Check implements Callable<Integer> {
    public static final int VALID = 0;
    public static final int INVALID = 1;
    public static final int ERROR = 2;
    public static final int UNKNOWN = 3;
    private static final Duration SHRINK_MAX = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", defaultValue = "register", paramLabel = "MODEL",
            description = "register (read, write, cas), mutex (acquire, release, fencing tokens), set (add, read) "
                    + "watch (write, delete, watch, event, ended) or sessions (create, touch, close, check, read). "
                    + "Default: ${DEFAULT-VALUE}.")
    private String model;

    @Option(names = "--time-limit-s", defaultValue = "60", paramLabel = "N",
            description = "Seconds of search per file; past it the verdict is unknown. A counterexample then gets up to "
                    + "as long again, at most 10 s. Default: ${DEFAULT-VALUE}.")
    private long timeLimitSeconds;

    @Option(names = "--json", description = "One JSON object per file: file, model, verdict, ops, seconds, and key, "
            + "counterexample or reason when there are.")
    private boolean json;

    @Option(names = "--format", defaultValue = "jsonl", paramLabel = "FORMAT",
            description = "jsonl, or jepsen-log for the 'INFO jepsen.util - 3 :invoke :read nil' lines of older Jepsen logs. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String format;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "History files.")
    private List<Path> files;

    @Override
    public Integer call() {
        Vocabulary vocabulary = switch (model) {
            case "register" -> new RegisterModel();
            case "mutex" -> new MutexModel();
            case "set" -> new SetChecker();
            case "watch" -> new WatchChecker();
            case "sessions" -> new SessionsChecker();
            default -> throw new ParameterException(spec.commandLine(), "unknown --model '" + model
                    + "'; known: register, mutex, set, watch, sessions");
        };
        if (!format.equals("jsonl") && !format.equals("jepsen-log")) {
            throw new ParameterException(spec.commandLine(), "unknown --format '" + format + "'; known: jsonl, jepsen-log");
        }
        if (timeLimitSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--time-limit-s must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean error = false;
        Verdict all = Verdict.VALID;
        for (Path file : files) {
            long start = System.nanoTime();
            History history;
            try {
                history = format.equals("jsonl") ? History.read(file, vocabulary) : JepsenLog.read(file, vocabulary);
            } catch (HistoryFormatException e) {
                err.println(e.getMessage());
                error = true;
                continue;
            } catch (NoSuchFileException e) {
                err.println(file + ": no such file");
                error = true;
                continue;
            } catch (IOException e) {
                err.println(file + ": cannot read: " + e);
                error = true;
                continue;
            }
            Verdict verdict = judge(history, vocabulary, start, out);
            all = all.and(verdict);
        }
        out.flush();
        err.flush();
        return error ? ERROR : switch (all) {
            case VALID -> VALID;
            case INVALID -> INVALID;
            case UNKNOWN -> UNKNOWN;
        };
    }

    private Verdict judge(History history, Vocabulary vocabulary, long startNanos, PrintWriter out) {
        ObjectNode report = JSON.createObjectNode();
        report.put("file", history.source());
        report.put("model", vocabulary.name());
        Verdict verdict;
        List<String> why;
        if (vocabulary instanceof SetChecker set) {
            SetChecker.Result result = set.check(history);
            verdict = result.verdict();
            why = verdict == Verdict.INVALID ? SetChecker.describe(result) : List.of(result.reason());
            if (verdict == Verdict.INVALID) {
                ObjectNode counterexample = report.putObject("counterexample");
                elements(counterexample.putArray("lost"), result.lost());
                elements(counterexample.putArray("unexpected"), result.unexpected());
            }
        } else if (vocabulary instanceof WatchChecker watch) {
            WatchChecker.Result result = watch.check(history);
            verdict = result.verdict();
            why = verdict == Verdict.INVALID ? WatchChecker.describe(result.violations()) : List.of(result.reason());
            ArrayNode violations = JSON.createArrayNode();
            if (!result.violations().isEmpty()) {
                report.set("violations", violations);
            }
            for (WatchChecker.Violation violation : result.violations()) {
                ObjectNode node = violations.addObject().put("rule", violation.rule().word()).put("what", violation.what());
                ArrayNode ops = node.putArray("ops");
                violation.ops().forEach(op -> ops.add(operation(op)));
            }
        } else if (vocabulary instanceof SessionsChecker sessions) {
            SessionsChecker.Result result = sessions.check(history);
            verdict = result.verdict();
            why = verdict == Verdict.INVALID ? SessionsChecker.describe(result) : List.of(result.reason());
            if (!result.violations().isEmpty()) {
                ArrayNode violations = report.putArray("violations");
                for (SessionsChecker.Violation violation : result.violations()) {
                    ObjectNode node = violations.addObject().put("rule", violation.rule().words()).put("what", violation.why());
                    ArrayNode ops = node.putArray("ops");
                    violation.ops().forEach(op -> ops.add(operation(op)));
                }
            }
        } else {
            Duration limit = Duration.ofSeconds(timeLimitSeconds);
            LinearizabilityChecker.Result result = new LinearizabilityChecker<>((Model<?>) vocabulary)
                    .check(history, limit, limit.compareTo(SHRINK_MAX) < 0 ? limit : SHRINK_MAX);
            verdict = result.verdict();
            if (result.key() != null) {
                report.put("key", result.key());
            }
            if (verdict == Verdict.INVALID) {
                ArrayNode ops = report.putArray("counterexample");
                result.counterexample().forEach(op -> ops.add(operation(op)));
                why = new ArrayList<>();
                why.add((result.key() == null ? "" : "key " + result.key() + ": ") + "these " + result.counterexample().size()
                        + " operations alone are not linearizable:");
                result.counterexample().forEach(op -> why.add("  " + op.describe()));
            } else {
                why = List.of(result.reason());
            }
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (json) {
            report.put("verdict", verdict.word());
            report.put("ops", history.operations().size());
            report.put("seconds", Math.round(seconds * 1000) / 1000.0);
            if (verdict == Verdict.UNKNOWN) {
                report.put("reason", why.get(0));
            }
            out.println(report.toString());
        } else {
            out.println(String.format(Locale.ROOT, "%s: %s (%d ops, %.2f s)", history.source(), verdict.word(),
                    history.operations().size(), seconds));
            if (verdict != Verdict.VALID) {
                why.forEach(line -> out.println("  " + line));
            }
        }
        return verdict;
    }

    private static ObjectNode operation(Operation op) {
        ObjectNode node = JSON.createObjectNode();
        node.set("process", op.process().matches("-?\\d{1,18}") ? JSON.valueToTree(Long.parseLong(op.process()))
                : JSON.valueToTree(op.process()));
        node.put("f", op.f());
        if (op.key() != null) {
            node.put("key", op.key());
        }
        node.set("value", JSON.valueToTree(op.input()));
        node.put("type", switch (op.outcome()) {
            case OK -> "ok";
            case FAIL -> "fail";
            case UNKNOWN -> "info";
        });
        if (op.outcome() == Outcome.OK && op.output() != null) {
            node.set("output", JSON.valueToTree(op.output()));
        }
        node.put("invokeLine", op.callLine());
        if (op.completionLine() != 0) {
            node.put("completeLine", op.completionLine());
        }
        return node;
    }

    private static void elements(ArrayNode array, Map<Object, Operation> elements) {
        elements.forEach((element, read) -> {
            ObjectNode node = array.addObject();
            node.set("element", JSON.valueToTree(element));
            node.put("readLine", read.callLine());
        });
    }
}

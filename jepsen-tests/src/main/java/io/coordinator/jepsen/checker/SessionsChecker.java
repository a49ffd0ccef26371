package io.coordinator.jepsen.checker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Ephemerals and their sessions: an ephemeral vanishes only after its session ended, never while it is
 * alive, and never outlives it. The history's functions:
 * <table>
 * <caption>f, key and values</caption>
 * <tr><th>f</th><th>key</th><th>invoke value</th><th>{@code ok} value</th></tr>
 * <tr><td>{@code create}</td><td>the ephemeral's path</td><td>{@code null}</td><td>the session that owns it
 *     (the node's ephemeralOwner)</td></tr>
 * <tr><td>{@code touch}</td><td>the path</td><td>{@code null}</td><td>the owner, as the write's answer
 *     says: the node existed then, so its session had not ended</td></tr>
 * <tr><td>{@code close}</td><td>none</td><td>the session id</td><td>anything: the session ended</td></tr>
 * <tr><td>{@code check}</td><td>none</td><td>the session id</td><td>{@code "alive"} or {@code "ended"},
 *     as of a linearizable read of the cluster</td></tr>
 * <tr><td>{@code read}</td><td>none</td><td>{@code null}</td><td>the children, linearizably:
 *     {@code [[path, session], ...]}</td></tr>
 * </table>
 * Each path is created by at most one call and never deleted except by its session's end (closed or
 * expired, which takes all its ephemerals in one revision); a session never comes back. On those
 * premises, with A before B when A completed before B was invoked:
 * <ul>
 * <li><b>vanished while alive</b>: an ok read misses an ephemeral that an earlier ok operation showed
 *     (its create, a touch, a read), and a later one shows its session alive (a touch or read of any of
 *     its ephemerals, a create under it, a check answered alive). Missing means the session had ended by
 *     the read; nothing may show it alive after that.</li>
 * <li><b>outlived its session</b>: a session's end was proven (close ok, check ended) before an ok
 *     operation that shows it alive was invoked: a read or touch of one of its ephemerals, most often.</li>
 * <li><b>phantom</b>: an ok read has a path no create invoked before the read returned could have made
 *     (a failed create made nothing; one of unknown outcome may have), or has it under a session other
 *     than its create's acknowledged owner.</li>
 * </ul>
 * Operations concurrent with the read or the proof may fall on either side, so they prove nothing;
 * {@code fail} and {@code info} completions show nothing either. No ok read: the verdict is unknown.
 */
public final class SessionsChecker implements Vocabulary {
    public static final String ALIVE = "alive";
    public static final String ENDED = "ended";

    public enum Rule {
        VANISHED_WHILE_ALIVE("vanished while alive"),
        OUTLIVED_SESSION("outlived its session"),
        PHANTOM("phantom");

        private final String words;

        Rule(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /**
     * @param path    the ephemeral concerned; {@code null} when the violation is the session's alone
     * @param session its owner
     * @param ops     the fewest operations that show it, in history order
     * @param why     one sentence for people
     */
    public record Violation(Rule rule, String path, long session, List<Operation> ops, String why) {
        public Violation {
            ops = ops.stream().sorted(Comparator.comparingLong(Operation::callLine)).toList();
        }

        /** A header line, then the operations indented. */
        public List<String> describe() {
            List<String> lines = new ArrayList<>();
            lines.add(rule.words() + ": " + why);
            ops.forEach(op -> lines.add("    " + op.describe()));
            return lines;
        }
    }

    /**
     * @param sessionsEnded   sessions with a proven end (close ok or check ended)
     * @param sessionsExpired of those, sessions no {@code close} was invoked for: ended by the cluster's
     *                        expiry, which shows the faults reached the sessions
     */
    public record Counts(int createsOk, int touchesOk, int closes, int checksOk, int readsOk, int sessionsEnded,
                         int sessionsExpired) {
    }

    public record Result(Verdict verdict, List<Violation> violations, Counts counts, String reason) {
        public Result {
            violations = List.copyOf(violations);
        }
    }

    /** An ok operation showing a session alive; {@code path} is the ephemeral it showed, if any. */
    private record Alive(Operation op, String path, long session) {
    }

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public Set<String> functions() {
        return Set.of("create", "touch", "close", "check", "read");
    }

    @Override
    public void checkInvocation(String f, Object value) {
        boolean needsSession = f.equals("close") || f.equals("check");
        if (needsSession && !(value instanceof Long)) {
            throw new IllegalArgumentException("a " + f + "'s value must be the session id, not " + Values.show(value));
        }
        if (!needsSession && value != null) {
            throw new IllegalArgumentException("a " + f + "'s invocation value must be null, not " + Values.show(value));
        }
    }

    @Override
    public Object okOutput(String f, Object invocationValue, Object completionValue) {
        return switch (f) {
            case "create", "touch" -> {
                if (!(completionValue instanceof Long)) {
                    throw new IllegalArgumentException("an ok " + f + " returns the owning session id, not " + Values.show(completionValue));
                }
                yield completionValue;
            }
            case "check" -> {
                if (!ALIVE.equals(completionValue) && !ENDED.equals(completionValue)) {
                    throw new IllegalArgumentException("an ok check returns \"alive\" or \"ended\", not " + Values.show(completionValue));
                }
                yield completionValue;
            }
            case "read" -> {
                if (!(completionValue instanceof List<?> entries) || !entries.stream().allMatch(SessionsChecker::isEntry)) {
                    throw new IllegalArgumentException("an ok read returns [[path, session], ...], not " + Values.show(completionValue));
                }
                yield completionValue;
            }
            default -> null;
        };
    }

    private static boolean isEntry(Object entry) {
        return entry instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String && pair.get(1) instanceof Long;
    }

    /** A read's entries, path to owner. */
    private static Map<String, Long> entries(Operation read) {
        Map<String, Long> entries = new LinkedHashMap<>();
        for (Object entry : (Collection<?>) read.output()) {
            List<?> pair = (List<?>) entry;
            entries.put((String) pair.get(0), (Long) pair.get(1));
        }
        return entries;
    }

    public Result check(History history) {
        List<Operation> ops = history.operations();
        Map<String, Operation> createOf = new HashMap<>();
        for (Operation op : ops) {
            if (op.f().equals("create") || op.f().equals("touch")) {
                if (op.key() == null) {
                    throw new IllegalArgumentException("a " + op.f() + " without a key (the path): " + op.describe());
                }
            }
            if (op.f().equals("create") && createOf.putIfAbsent(op.key(), op) != null) {
                return new Result(Verdict.UNKNOWN, List.of(), counts(ops, Map.of()), "path " + op.key()
                        + " is created more than once; the rules hold for one create per path");
            }
        }
        Map<String, Operation> firstShown = new HashMap<>();
        Map<Long, List<Alive>> alive = new HashMap<>();
        Map<Long, Operation> firstEnd = new HashMap<>();
        List<Operation> reads = new ArrayList<>();
        for (Operation op : ops) {
            if (op.outcome() != Outcome.OK) {
                continue;
            }
            switch (op.f()) {
                case "create", "touch" -> shown(op, op.key(), (Long) op.output(), firstShown, alive);
                case "read" -> {
                    reads.add(op);
                    entries(op).forEach((path, session) -> shown(op, path, session, firstShown, alive));
                }
                case "check" -> {
                    long session = (Long) op.input();
                    if (op.output().equals(ALIVE)) {
                        alive.computeIfAbsent(session, s -> new ArrayList<>()).add(new Alive(op, null, session));
                    } else {
                        ended(op, firstEnd);
                    }
                }
                case "close" -> ended(op, firstEnd);
                default -> throw new IllegalStateException("unknown f " + op.f());
            }
        }
        Map<String, Long> owners = owners(ops, reads);
        List<Violation> violations = new ArrayList<>();
        violations.addAll(vanishedWhileAlive(reads, firstShown, owners, alive));
        violations.addAll(outlived(firstEnd, alive));
        violations.addAll(phantoms(reads, createOf));
        Counts counts = counts(ops, firstEnd);
        if (!violations.isEmpty()) {
            return new Result(Verdict.INVALID, violations, counts, "");
        }
        return reads.isEmpty() ? new Result(Verdict.UNKNOWN, violations, counts, "no read succeeded")
                : new Result(Verdict.VALID, violations, counts, "");
    }

    private static void shown(Operation op, String path, long session, Map<String, Operation> firstShown,
                              Map<Long, List<Alive>> alive) {
        firstShown.merge(path, op, (a, b) -> a.returnLine() <= b.returnLine() ? a : b);
        alive.computeIfAbsent(session, s -> new ArrayList<>()).add(new Alive(op, path, session));
    }

    private static void ended(Operation op, Map<Long, Operation> firstEnd) {
        firstEnd.merge((Long) op.input(), op, (a, b) -> a.returnLine() <= b.returnLine() ? a : b);
    }

    /** Each path's owner: its create's acknowledged one, else the first that an ok operation showed. */
    private static Map<String, Long> owners(List<Operation> ops, List<Operation> reads) {
        Map<String, Long> owners = new HashMap<>();
        for (Operation op : ops) {
            if (op.outcome() == Outcome.OK && op.f().equals("create")) {
                owners.put(op.key(), (Long) op.output());
            }
        }
        for (Operation op : ops) {
            if (op.outcome() == Outcome.OK && op.f().equals("touch")) {
                owners.putIfAbsent(op.key(), (Long) op.output());
            }
        }
        for (Operation read : reads) {
            entries(read).forEach(owners::putIfAbsent);
        }
        return owners;
    }

    /**
     * For each read and each path shown before it began but missing from it: is its session shown alive
     * by an operation invoked after the read returned? One violation per path, its first such read.
     */
    private static List<Violation> vanishedWhileAlive(List<Operation> reads, Map<String, Operation> firstShown,
                                                      Map<String, Long> owners, Map<Long, List<Alive>> alive) {
        Map<Long, Long> lastAliveCall = new HashMap<>();
        alive.forEach((session, proofs) -> lastAliveCall.put(session,
                proofs.stream().mapToLong(p -> p.op().callLine()).max().orElse(0)));
        List<Violation> violations = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (Operation read : reads) {
            Set<String> seen = entries(read).keySet();
            for (Map.Entry<String, Operation> shown : firstShown.entrySet()) {
                String path = shown.getKey();
                Operation before = shown.getValue();
                if (seen.contains(path) || reported.contains(path) || before.returnLine() >= read.callLine()) {
                    continue;
                }
                long session = owners.get(path);
                if (lastAliveCall.getOrDefault(session, 0L) <= read.returnLine()) {
                    continue;
                }
                Alive after = alive.get(session).stream().filter(p -> p.op().callLine() > read.returnLine())
                        .min(Comparator.comparingLong(p -> p.op().callLine())).orElseThrow();
                reported.add(path);
                violations.add(new Violation(Rule.VANISHED_WHILE_ALIVE, path, session, List.of(before, read, after.op()),
                        path + " (session " + session + ") shown at line " + before.callLine() + ", missing from the read at line "
                                + read.callLine() + ", yet its session " + aliveWords(after) + " later, at line "
                                + after.op().callLine()));
            }
        }
        return violations;
    }

    /** Per session proven ended: the first operation invoked after the proof returned that shows it alive. */
    private static List<Violation> outlived(Map<Long, Operation> firstEnd, Map<Long, List<Alive>> alive) {
        List<Violation> violations = new ArrayList<>();
        firstEnd.entrySet().stream().sorted(Comparator.comparingLong(e -> e.getValue().returnLine())).forEach(end -> {
            long session = end.getKey();
            Operation proof = end.getValue();
            alive.getOrDefault(session, List.of()).stream().filter(p -> p.op().callLine() > proof.returnLine())
                    .min(Comparator.comparingLong(p -> p.op().callLine()))
                    .ifPresent(after -> violations.add(new Violation(Rule.OUTLIVED_SESSION, after.path(), session,
                            List.of(proof, after.op()), "session " + session + " ended (" + proof.f() + " at line "
                                    + proof.callLine() + "), yet " + aliveWords(after) + " afterwards, at line "
                                    + after.op().callLine())));
        });
        return violations;
    }

    /** Reads with a path no create could have made, or under a session its create did not give it. */
    private static List<Violation> phantoms(List<Operation> reads, Map<String, Operation> createOf) {
        List<Violation> violations = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (Operation read : reads) {
            for (Map.Entry<String, Long> entry : entries(read).entrySet()) {
                String path = entry.getKey();
                long session = entry.getValue();
                Operation create = createOf.get(path);
                if (reported.contains(path)) {
                    continue;
                }
                if (create == null || create.outcome() == Outcome.FAIL || create.callLine() > read.returnLine()) {
                    reported.add(path);
                    String why = create == null ? "never created"
                            : create.outcome() == Outcome.FAIL ? "its create failed" : "its create was invoked only after the read";
                    violations.add(new Violation(Rule.PHANTOM, path, session, create == null ? List.of(read) : List.of(create, read),
                            path + " in the read at line " + read.callLine() + ": " + why));
                } else if (create.outcome() == Outcome.OK && !Objects.equals(create.output(), session)) {
                    reported.add(path);
                    violations.add(new Violation(Rule.PHANTOM, path, session, List.of(create, read), path
                            + " in the read at line " + read.callLine() + " under session " + session + ", created under session "
                            + create.output()));
                }
            }
        }
        return violations;
    }

    private static String aliveWords(Alive proof) {
        return switch (proof.op().f()) {
            case "check" -> "was checked alive";
            case "create" -> "created " + proof.path();
            case "touch" -> "touched " + proof.path();
            default -> "still had " + proof.path() + " in a read";
        };
    }

    private static Counts counts(List<Operation> ops, Map<Long, Operation> firstEnd) {
        int createsOk = 0;
        int touchesOk = 0;
        int closes = 0;
        int checksOk = 0;
        int readsOk = 0;
        Set<Long> closed = new HashSet<>();
        for (Operation op : ops) {
            boolean ok = op.outcome() == Outcome.OK;
            switch (op.f()) {
                case "create" -> createsOk += ok ? 1 : 0;
                case "touch" -> touchesOk += ok ? 1 : 0;
                case "check" -> checksOk += ok ? 1 : 0;
                case "read" -> readsOk += ok ? 1 : 0;
                case "close" -> {
                    closes++;
                    closed.add((Long) op.input());
                }
                default -> throw new IllegalStateException("unknown f " + op.f());
            }
        }
        int expired = (int) firstEnd.keySet().stream().filter(session -> !closed.contains(session)).count();
        return new Counts(createsOk, touchesOk, closes, checksOk, readsOk, firstEnd.size(), expired);
    }

    /** People-readable lines for an invalid result: each violation, then its operations. */
    public static List<String> describe(Result result) {
        List<String> lines = new ArrayList<>();
        result.violations().forEach(v -> lines.addAll(v.describe()));
        return lines;
    }
}

package io.coordinator.jepsen.checker;

import java.util.Objects;

/**
 * One operation of a history: an invocation and its completion. Times are the events' line numbers in
 * the history (its lines are in real-time order, one event a line), so an operation A precedes B in
 * real time exactly when {@code A.returnLine() < B.callLine()}. An operation with an unknown outcome
 * returns at {@link #NEVER}: it may take effect at any point after its invocation, or never.
 *
 * @param id         position among the history's operations, in invocation order (0, 1, ...)
 * @param process    the invoking process, as written in the history
 * @param key        the register or object it works on; {@code null} when the history names none
 * @param f          the function: {@code read}, {@code write}, {@code cas}, {@code add}, ...
 * @param input      the invocation's value ({@link Values} form; {@code null} when none)
 * @param output     the {@code ok} completion's value ({@code null} for other outcomes or none)
 * @param outcome    how it ended
 * @param callLine   the invocation's line (1-based)
 * @param returnLine the completion's line, or {@link #NEVER} when the outcome is unknown
 * @param completionLine the completion's line, {@code info} included; 0 when the history ends first
 */
public record Operation(int id, String process, String key, String f, Object input, Object output, Outcome outcome,
                        long callLine, long returnLine, long completionLine) {
    public static final long NEVER = Long.MAX_VALUE;

    public Operation {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(f, "f");
        Objects.requireNonNull(outcome, "outcome");
        if ((outcome == Outcome.UNKNOWN) != (returnLine == NEVER)) {
            throw new IllegalArgumentException("an operation returns at NEVER exactly when its outcome is unknown: " + outcome
                    + " returning at " + returnLine);
        }
        if (returnLine <= callLine) {
            throw new IllegalArgumentException("operation " + id + " returns (line " + returnLine + ") before it is called (line "
                    + callLine + ")");
        }
    }

    /**
     * This operation as a history cut just before line {@code line} would hold it: still pending there,
     * so with an unknown outcome. Only for operations invoked before the cut.
     */
    public Operation pendingAt(long line) {
        if (callLine >= line) {
            throw new IllegalArgumentException("operation " + id + " is invoked at line " + callLine + ", not before " + line);
        }
        return returnLine < line ? this : new Operation(id, process, key, f, input, null, Outcome.UNKNOWN, callLine, NEVER, 0);
    }

    /** For people: {@code line 12-15  process 3  key x  cas [3, 0] -> ok}. */
    public String describe() {
        String lines = "line " + callLine + "-" + (completionLine == 0 ? "(none)" : Long.toString(completionLine));
        String what = f + (input == null ? "" : " " + Values.show(input));
        String result = switch (outcome) {
            case OK -> output == null && !f.equals("read") ? "ok" : "ok " + Values.show(output);
            case FAIL -> "fail";
            case UNKNOWN -> "unknown";
        };
        return lines + "  process " + process + (key == null ? "" : "  key " + key) + "  " + what + " -> " + result;
    }
}

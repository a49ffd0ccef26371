package io.coordinator.jepsen.cli;

import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.jepsen.checker.HistoryFormatException;
import io.coordinator.jepsen.checker.Verdict;
import io.coordinator.jepsen.harness.HistoryRecorder;
import io.coordinator.jepsen.harness.RunVerdict;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Records every linearizable read and write the demo makes, in the harness's history format, so that
 * the demo can end with the register checker's verdict on all of it. Each client of the demo is one
 * process. A call refused with a typed error that guarantees nothing was applied is a {@code fail};
 * one whose outcome is unknown (TIMEOUT) an {@code info}. Serializable reads are not recorded: they
 * may be stale by request, which a linearizable register does not allow.
 */
final class DemoLedger implements AutoCloseable {
    private static final Duration CHECK_LIMIT = Duration.ofSeconds(10);

    private final Path file;
    private final HistoryRecorder recorder;
    private final long startNanos = System.nanoTime();

    DemoLedger(Path file) throws IOException {
        this.file = file;
        this.recorder = new HistoryRecorder(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                () -> System.nanoTime() - startNanos);
    }

    /** A write of {@code value} to {@code key} by {@code process}; rethrows the call's failure. */
    <T> T write(long process, String key, String value, Supplier<T> call) {
        recorder.invoke(process, "write", key, value);
        try {
            T result = call.get();
            recorder.complete(process, HistoryRecorder.Type.OK, "write", key, value);
            return result;
        } catch (CoordinatorException e) {
            recorder.complete(process, e.outcomeUnknown() ? HistoryRecorder.Type.INFO : HistoryRecorder.Type.FAIL,
                    "write", key, value);
            throw e;
        }
    }

    /** A linearizable read of {@code key}: the value, or null when the node is absent. */
    String read(long process, String key, Supplier<String> call) {
        recorder.invoke(process, "read", key, null);
        try {
            String value = call.get();
            recorder.complete(process, HistoryRecorder.Type.OK, "read", key, value);
            return value;
        } catch (CoordinatorException e) {
            if (e.code() == ErrorCode.NO_NODE) {
                recorder.complete(process, HistoryRecorder.Type.OK, "read", key, null);
                return null;
            }
            // A read that failed did not happen; one with an unknown outcome constrains nothing.
            recorder.complete(process, e.outcomeUnknown() ? HistoryRecorder.Type.INFO : HistoryRecorder.Type.FAIL,
                    "read", key, null);
            throw e;
        }
    }

    /** The register checker's verdict on everything recorded, and a line saying it. */
    record Judgement(boolean valid, String line) {
    }

    Judgement judge() throws IOException {
        recorder.flush();
        try {
            RunVerdict.Result result = RunVerdict.check(file, CHECK_LIMIT);
            boolean valid = result.verdict() == Verdict.VALID;
            String line = String.format("checker: the %d linearizable reads and writes above, on %d keys, are %s (%.2f s)",
                    result.ops(), result.keys().size(), valid ? "linearizable: valid" : result.verdict().name(),
                    result.seconds());
            return new Judgement(valid, valid ? line : line + ": " + String.join("; ", RunVerdict.describe(result)));
        } catch (HistoryFormatException e) {
            return new Judgement(false, "checker: could not read the demo's own history: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        recorder.close();
    }
}

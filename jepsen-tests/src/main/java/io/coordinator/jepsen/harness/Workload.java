package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.checker.HistoryFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the harness runs between the cluster's start and its stop: clients that record every call in a
 * {@link HistoryRecorder}, and the check of what they recorded. The harness calls, in order:
 * {@link #setUp}, {@link #start}, (faults), {@link #stop}, (every fault healed), {@link #finalReads},
 * {@link #close}, then {@link #judge}, which may use what the workload kept in memory besides the history
 * (the lock workload's fenced resource).
 */
public interface Workload extends AutoCloseable {
    /** Connects the clients and creates what the workload needs, with nothing recorded yet. */
    void setUp(Duration timeout);

    void start();

    /** Stops the clients after their current call; each call is bounded. */
    void stop() throws InterruptedException;

    /** Jepsen's final reads, once faults are over; @return true when every client completed its reads */
    boolean finalReads(Duration timeout);

    /** The verdict on the recorded history, within {@code timeLimit}. */
    RunVerdict.Result judge(Path history, Duration timeLimit) throws IOException, HistoryFormatException;

    @Override
    void close();
}

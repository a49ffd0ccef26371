package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.checker.History;
import io.coordinator.jepsen.checker.LinearizabilityChecker;
import io.coordinator.jepsen.checker.Operation;
import io.coordinator.jepsen.checker.Outcome;
import io.coordinator.jepsen.checker.RegisterModel;
import io.coordinator.jepsen.checker.Verdict;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the recorder writes is exactly what the checker reads: the same operations, outcomes and order. */
class HistoryRecorderTest {

    private static History parse(StringWriter text) throws Exception {
        return History.read(new BufferedReader(new StringReader(text.toString())), "recorded", new RegisterModel());
    }

    @Test
    void everyKindOfEventRoundTripsThroughTheCheckersParser() throws Exception {
        StringWriter text = new StringWriter();
        AtomicLong clock = new AtomicLong();
        try (HistoryRecorder recorder = new HistoryRecorder(text, clock::incrementAndGet)) {
            recorder.invoke(0, "write", "k0", 3L);
            recorder.invoke(1, "read", "k0", null);
            recorder.complete(0, Type.OK, "write", "k0", 3L);
            recorder.complete(1, Type.OK, "read", "k0", null);          // absent: an ok read of null
            recorder.invoke(2, "cas", "k1", List.of(1L, 2L));
            recorder.complete(2, Type.FAIL, "cas", "k1", List.of(1L, 2L));
            recorder.invoke(3, "write", "k1", 4L);
            recorder.complete(3, Type.INFO, "write", "k1", 4L);
            recorder.invoke(4, "read", "k0", null);
            recorder.complete(4, Type.OK, "read", "k0", 3L);
            assertEquals(10, recorder.events());
            assertEquals(1L, recorder.completions().get("write info"));
        }
        History history = parse(text);
        List<Operation> ops = history.operations();
        assertEquals(5, ops.size());
        assertEquals(10, history.lines());

        Operation write = ops.get(0);
        assertEquals("0", write.process());
        assertEquals("k0", write.key());
        assertEquals(3L, write.input());
        assertEquals(Outcome.OK, write.outcome());
        assertEquals(1, write.callLine());
        assertEquals(3, write.returnLine());

        Operation absentRead = ops.get(1);
        assertEquals(Outcome.OK, absentRead.outcome());
        assertNull(absentRead.output());

        Operation cas = ops.get(2);
        assertEquals(List.of(1L, 2L), cas.input());
        assertEquals(Outcome.FAIL, cas.outcome());

        assertEquals(Outcome.UNKNOWN, ops.get(3).outcome());
        assertEquals(Operation.NEVER, ops.get(3).returnLine());
        assertEquals(3L, ops.get(4).output());

        // The read of null was concurrent with the write of 3: linearizable.
        assertEquals(Verdict.VALID, new LinearizabilityChecker<>(new RegisterModel())
                .check(history, Duration.ofSeconds(5), Duration.ofSeconds(5)).verdict());
    }

    @Test
    void aStaleReadRecordedAfterAnAcknowledgedWriteIsInvalid() throws Exception {
        StringWriter text = new StringWriter();
        try (HistoryRecorder recorder = new HistoryRecorder(text, System::nanoTime)) {
            recorder.invoke(0, "write", "k0", 1L);
            recorder.complete(0, Type.OK, "write", "k0", 1L);
            recorder.invoke(1, "read", "k0", null);
            recorder.complete(1, Type.OK, "read", "k0", null);
        }
        LinearizabilityChecker.Result result = new LinearizabilityChecker<>(new RegisterModel())
                .check(parse(text), Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertEquals(Verdict.INVALID, result.verdict());
        assertEquals("k0", result.key());
    }

    @Test
    void concurrentRecordersNeverInterleaveWithinALineAndKeepEachProcesssOrder() throws Exception {
        StringWriter text = new StringWriter();
        int threads = 8;
        int opsPerThread = 500;
        try (HistoryRecorder recorder = new HistoryRecorder(text, System::nanoTime)) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long process = t;
                workers.add(new Thread(() -> {
                    for (long i = 0; i < opsPerThread; i++) {
                        recorder.invoke(process, "write", "k" + (i % 3), i);
                        recorder.complete(process, Type.OK, "write", "k" + (i % 3), i);
                    }
                }));
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
        }
        // Strict parsing: a torn line or a completion before its invocation would throw here.
        History history = parse(text);
        assertEquals(threads * opsPerThread, history.operations().size());
    }

    @Test
    void noEventsAfterClose() {
        HistoryRecorder recorder = new HistoryRecorder(new StringWriter(), System::nanoTime);
        recorder.close();
        assertThrows(IllegalStateException.class, () -> recorder.invoke(0, "read", "k0", null));
    }
}

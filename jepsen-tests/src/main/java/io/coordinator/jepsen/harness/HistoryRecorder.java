package io.coordinator.jepsen.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Writes a history as JSON Lines in the format {@link io.coordinator.jepsen.checker.History} reads,
 * one event a line: {@code {"process": 3, "type": "invoke", "f": "cas", "key": "k0", "value": [3, 0],
 * "time": 1234567}}. Call {@link #invoke} before the call is sent and {@link #complete} after its
 * outcome is known: the checker takes the line order as real-time order, so an event is written, under
 * this object's lock, before anything that happens after it can be. {@code time} is the given clock's
 * reading in nanoseconds (the harness: since the run began, like its fault timeline); it is for people
 * lining events up with faults and member logs, the checker ignores it.
 *
 * <p>Thread-safe. Lines are flushed every {@link #FLUSH_EVERY_EVENTS} events and at {@link #flush()} /
 * {@link #close()}, so that an interrupted run leaves most of its history behind.
 */
public final class HistoryRecorder implements AutoCloseable {
    /** How a call ended, in Jepsen's words. */
    public enum Type {
        /** It happened, with the value given. */
        OK,
        /** It certainly did not happen (nothing applied). */
        FAIL,
        /** Unknown: it may have happened, at any time after its invocation, or never. */
        INFO;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final int FLUSH_EVERY_EVENTS = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;
    private final LongSupplier nanoClock;
    private final Map<String, Long> counts = new TreeMap<>();
    private long events;
    private boolean closed;

    /**
     * @param out       where the lines go; closed with this recorder
     * @param nanoClock the {@code time} of each event
     */
    public HistoryRecorder(Writer out, LongSupplier nanoClock) {
        this.out = Objects.requireNonNull(out);
        this.nanoClock = Objects.requireNonNull(nanoClock);
    }

    /**
     * @param value a {@code Long}, a {@code String}, {@code null}, or a {@code List} of those (cas's
     *              {@code [expected, new]})
     */
    public void invoke(long process, String f, String key, Object value) {
        write(process, "invoke", f, key, value);
    }

    /** @param value for an {@code ok} read, what was read ({@code null}: absent); else as invoked */
    public void complete(long process, Type type, String f, String key, Object value) {
        write(process, type.word(), f, key, value);
    }

    private synchronized void write(long process, String type, String f, String key, Object value) {
        if (closed) {
            throw new IllegalStateException("the history is closed; no more events");
        }
        ObjectNode event = JSON.createObjectNode();
        event.put("process", process);
        event.put("type", type);
        event.put("f", f);
        if (key != null) {
            event.put("key", key);
        }
        event.set("value", JSON.valueToTree(value));
        event.put("time", nanoClock.getAsLong());
        try {
            out.write(event.toString());
            out.write('\n');
            if (++events % FLUSH_EVERY_EVENTS == 0) {
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!type.equals("invoke")) {
            counts.merge(f + " " + type, 1L, Long::sum);
        }
    }

    /** Completions so far by function and type: {@code "read ok" -> 120, "write info" -> 3, ...}. */
    public synchronized Map<String, Long> completions() {
        return Map.copyOf(counts);
    }

    public synchronized long events() {
        return events;
    }

    public synchronized void flush() {
        if (closed) {
            return;
        }
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.coordinator.jepsen.harness;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.jepsen.checker.WatchChecker;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;
import io.coordinator.protocol.message.WatchKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * One watcher of the watch workload: its own client, a PERSISTENT_RECURSIVE watch on the workload's root,
 * and the recording of everything the watch hears, as {@link WatchChecker}'s {@code watch}, {@code event}
 * and {@code ended} operations (an event is an invoke and an {@code ok} written back to back: a delivery
 * is an instant, and the invoke's line is when it was heard).
 *
 * <p>The listener can hear the first revisions before {@code watch} returns to the thread that called it;
 * those wait in {@link #early} until {@code watch ok} is written, so the history never has an event
 * before its watch (an error heard that early waits likewise). A failed attempt's listener may still be
 * called; the attempt number silences it.
 */
final class RecordingWatcher {
    private static final Logger log = LoggerFactory.getLogger(RecordingWatcher.class);

    private final String name;
    private final Coordinator client;
    private final String root;
    private final HistoryRecorder recorder;
    private final long processStride;
    private long process;
    private int attempt;
    private boolean started;
    private boolean recording = true;
    private final List<WatchEvents> early = new ArrayList<>();
    private CoordinatorException earlyError;
    private volatile long lastRevision;
    private volatile String endedBy;

    /**
     * @param process       its first process id; after an {@code info} watch it moves on by {@code processStride}
     *                      so that it never meets a writer's
     */
    RecordingWatcher(String name, Coordinator client, String root, HistoryRecorder recorder, long process, long processStride) {
        this.name = name;
        this.client = client;
        this.root = root;
        this.recorder = recorder;
        this.process = process;
        this.processStride = processStride;
    }

    /**
     * Starts the watch from {@code fromRevision}, trying again after a failure until it starts, the deadline
     * passes or {@code keepTrying} says no; every attempt is recorded.
     *
     * @return true once started
     */
    boolean start(long fromRevision, long deadlineNanos, BooleanSupplier keepTrying) {
        while (true) {
            int mine;
            long invoked;
            synchronized (this) {
                mine = ++attempt;
                invoked = process;
                recorder.invoke(invoked, WatchChecker.WATCH, null, fromRevision);
            }
            try {
                Watch started = client.watch(root, WatchKind.PERSISTENT_RECURSIVE, fromRevision, listener(mine));
                begun(invoked, started);
                log.info("watcher {}: watching {} from revision {}", name, root, started.fromRevision());
                return true;
            } catch (RuntimeException e) {
                Type type = RegisterWorkload.certainlyNotApplied(e) ? Type.FAIL : Type.INFO;
                synchronized (this) {
                    attempt++; // silences the failed attempt's listener
                    early.clear();
                    earlyError = null;
                    recorder.complete(invoked, type, WatchChecker.WATCH, null, fromRevision);
                    if (type == Type.INFO) {
                        process += processStride;
                    }
                }
                log.info("watcher {}: watching from {} failed ({}); {}", name, fromRevision, e.getMessage(),
                        System.nanoTime() < deadlineNanos && keepTrying.getAsBoolean() ? "trying again" : "giving up");
                if (System.nanoTime() >= deadlineNanos || !keepTrying.getAsBoolean() || !Clients.pause(200)) {
                    return false;
                }
            }
        }
    }

    private synchronized void begun(long invoked, Watch started) {
        this.started = true;
        recorder.complete(invoked, Type.OK, WatchChecker.WATCH, null, started.fromRevision());
        early.forEach(this::record);
        early.clear();
        if (earlyError != null) {
            ended(attempt, earlyError);
        }
    }

    private WatchListener listener(int mine) {
        return new WatchListener() {
            @Override
            public void onEvents(WatchEvents events) {
                heard(mine, events);
            }

            @Override
            public void onError(CoordinatorException error) {
                ended(mine, error);
            }
        };
    }

    private synchronized void heard(int mine, WatchEvents events) {
        if (mine != attempt || endedBy != null || !recording) {
            return;
        }
        if (!started) {
            early.add(events);
            return;
        }
        record(events);
    }

    private synchronized void ended(int mine, CoordinatorException error) {
        if (mine != attempt || endedBy != null) {
            return;
        }
        if (!started) {
            earlyError = error; // recorded once watch ok is, after the events heard before it
            return;
        }
        endedBy = error.code().name();
        log.warn("watcher {}: the watch ended after revision {}: {}", name, lastRevision, error.toString());
        if (recording) {
            recorder.invoke(process, WatchChecker.ENDED, null, null);
            recorder.complete(process, Type.OK, WatchChecker.ENDED, null, endedBy);
        }
    }

    /** Called with this object's lock held. */
    private void record(WatchEvents events) {
        List<Object> value = new ArrayList<>();
        value.add(events.revision());
        for (WatchEvent event : events.events()) {
            // Arrays.asList: the value may be null (a deletion, the root's children)
            value.add(Arrays.asList(key(event.path()), event.type().name().toLowerCase(Locale.ROOT), data(event.data())));
        }
        recorder.invoke(process, WatchChecker.EVENT, null, null);
        recorder.complete(process, Type.OK, WatchChecker.EVENT, null, value);
        lastRevision = Math.max(lastRevision, events.revision());
    }

    /** The name under the root, "" for the root; anything else whole, which the checker will refuse. */
    private String key(String path) {
        if (path.equals(root)) {
            return "";
        }
        return path.startsWith(root + "/") ? path.substring(root.length() + 1) : path;
    }

    /** What the writers write is a decimal number; anything else stays text, for the checker to refuse. */
    private static Object data(byte[] data) {
        if (data.length == 0) {
            return null;
        }
        String text = new String(data, StandardCharsets.UTF_8);
        return text.matches("-?\\d{1,18}") ? (Object) Long.parseLong(text) : text;
    }

    /** Stops recording: what the watch hears from now on is past the end of the history. */
    synchronized void stopRecording() {
        recording = false;
    }

    String name() {
        return name;
    }

    long lastRevision() {
        return lastRevision;
    }

    /** The error code that ended the watch, or null. */
    String endedBy() {
        return endedBy;
    }

    synchronized boolean started() {
        return started;
    }

    /** The process its running watch records under; meaningful once {@link #started()}. */
    synchronized long watchingProcess() {
        return process;
    }

    /** Closing it ends the watch; the workload closes every client at once. */
    Coordinator client() {
        return client;
    }
}

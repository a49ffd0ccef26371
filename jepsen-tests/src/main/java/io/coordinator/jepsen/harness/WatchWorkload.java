package io.coordinator.jepsen.harness;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Endpoint;
import io.coordinator.client.Ops;
import io.coordinator.client.TxnResult;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.jepsen.checker.History;
import io.coordinator.jepsen.checker.HistoryFormatException;
import io.coordinator.jepsen.checker.Operation;
import io.coordinator.jepsen.checker.WatchChecker;
import io.coordinator.jepsen.checker.WatchHistory;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;
import io.coordinator.protocol.message.Consistency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The watch workload: "every watcher sees the same events, in revision order, with no gap".
 * {@code clients} writers write unique integers (writer {@code i}: {@code i * 1e9 + 0, 1, ...}) to
 * {@value #KEYS} keys {@code /harness/watch/k<n>}, each as one txn ({@code if exists then set else
 * create}), and one time in {@value #DELETE_ONE_IN} delete a key instead ({@code if exists then delete}; a
 * key that is not there is a {@code fail}: nothing changed); each {@code ok} records the txn's revision.
 * One watcher per member (its client lists that member first) watches the root PERSISTENT_RECURSIVE from
 * the revision right after set-up, so all share one start; one more joins
 * {@value #LATE_WATCHER_DELAY_MILLIS} ms into the run from that same old revision, so its first events
 * are replayed from the members' history. Every delivery is recorded ({@link RecordingWatcher}) and
 * {@link WatchChecker} judges {@code history.jsonl} alone.
 *
 * <p>Outcomes as {@link RegisterWorkload}'s: UNAVAILABLE and OVERLOADED are {@code fail}, anything else
 * unexpected {@code info} and a new process. Watchers' process ids follow the writers' and every id moves
 * on by the number of writers and watchers together, so they never meet. The final phase waits, at most
 * {@link #CATCH_UP_MAX}, until every watcher whose watch is still running delivered the highest
 * acknowledged revision; then recording stops, so a watcher still behind is judged stuck.
 */
public final class WatchWorkload implements Workload {
    public static final String ROOT = "/harness/watch";
    static final int KEYS = 5;
    static final int DELETE_ONE_IN = 8;
    static final long VALUES_PER_WRITER = 1_000_000_000L;
    static final long LATE_WATCHER_DELAY_MILLIS = 3_000;
    /** A watcher tries to start its watch for this long; faults may be under way. */
    static final long WATCH_START_MILLIS_MAX = 20_000;
    static final Duration CATCH_UP_MAX = Duration.ofSeconds(60);
    static final int SHOWN_MAX = 20;
    private static final long SESSION_TTL_MILLIS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(WatchWorkload.class);

    private final List<Endpoint> endpoints;
    private final HistoryRecorder recorder;
    private final int writerCount;
    private final long processStride;
    private final List<Coordinator> clients = new ArrayList<>();
    private final List<Random> randoms = new ArrayList<>();
    private final long[] processes;
    private final long[] nextValue;
    private final List<RecordingWatcher> watchers = new ArrayList<>();
    private final ClientThreads threads = new ClientThreads();
    private final AtomicLong highestAcknowledged = new AtomicLong();
    private final Map<String, String> watcherNames = new ConcurrentHashMap<>();
    private long startRevision;

    /** @param seed decides the writers' keys, deletes and pauses */
    public WatchWorkload(List<Endpoint> endpoints, int clients, long seed, HistoryRecorder recorder) {
        if (clients <= 0 || endpoints.isEmpty()) {
            throw new IllegalArgumentException("clients and endpoints must be positive: " + clients + ", " + endpoints.size());
        }
        this.endpoints = List.copyOf(endpoints);
        this.recorder = recorder;
        this.writerCount = clients;
        this.processStride = clients + endpoints.size() + 1L;
        this.processes = new long[clients];
        this.nextValue = new long[clients];
        Random seeds = new Random(seed);
        for (int i = 0; i < clients; i++) {
            processes[i] = i;
            nextValue[i] = i * VALUES_PER_WRITER;
            randoms.add(new Random(seeds.nextLong()));
        }
    }

    @Override
    public void setUp(Duration timeout) {
        for (int i = 0; i < writerCount; i++) {
            clients.add(Clients.connect(endpoints, i, SESSION_TTL_MILLIS, timeout));
        }
        for (int j = 0; j <= endpoints.size(); j++) {
            boolean late = j == endpoints.size();
            String name = late ? "late" : "member" + (j + 1) + "-first";
            watchers.add(new RecordingWatcher(name, Clients.connect(endpoints, j, SESSION_TTL_MILLIS, timeout), ROOT, recorder,
                    writerCount + j, processStride));
        }
        Clients.createPaths(clients.get(0), timeout, "/harness", ROOT);
        startRevision = revisionNow(clients.get(0), timeout) + 1;
        log.info("watchers start at revision {}", startRevision);
    }

    /** The revision of a linearizable read of the root, retried until {@code timeout}. */
    private static long revisionNow(Coordinator client, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return client.get(ROOT, Consistency.LINEARIZABLE).revision();
            } catch (CoordinatorException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Clients.pause(200);
            }
        }
    }

    @Override
    public void start() {
        for (RecordingWatcher watcher : watchers) {
            boolean late = watcher.name().equals("late");
            threads.spawn("watch-start-" + watcher.name(), () -> {
                if (late && (!Clients.pause(LATE_WATCHER_DELAY_MILLIS) || !threads.running())) {
                    return;
                }
                long deadline = System.nanoTime() + WATCH_START_MILLIS_MAX * 1_000_000;
                if (watcher.start(startRevision, deadline, threads::running)) {
                    watcherNames.put(Long.toString(watcher.watchingProcess()), watcher.name());
                }
            });
        }
        for (int i = 0; i < writerCount; i++) {
            int writer = i;
            threads.spawn("watch-writer-" + i, () -> run(writer));
        }
    }

    private void run(int writer) {
        Random random = randoms.get(writer);
        while (threads.running()) {
            String key = "k" + random.nextInt(KEYS);
            if (random.nextInt(DELETE_ONE_IN) == 0) {
                delete(writer, key);
            } else {
                write(writer, key, nextValue[writer]++);
            }
            if (!Clients.pause(random.nextInt((int) RegisterWorkload.PAUSE_MILLIS_MAX + 1))) {
                return;
            }
        }
    }

    private void write(int writer, String key, long value) {
        long process = processes[writer];
        String path = ROOT + "/" + key;
        byte[] data = Long.toString(value).getBytes(StandardCharsets.UTF_8);
        recorder.invoke(process, WatchChecker.WRITE, key, value);
        try {
            TxnResult result = clients.get(writer).txn()
                    .compare(Compare.exists(path, true))
                    .then(Ops.set(path, data, -1))
                    .orElse(Ops.create(path, data, CreateMode.PERSISTENT))
                    .commit();
            acknowledged(process, WatchChecker.WRITE, key, value, result.revision());
        } catch (RuntimeException e) {
            failed(writer, WatchChecker.WRITE, key, value, e);
        }
    }

    private void delete(int writer, String key) {
        long process = processes[writer];
        String path = ROOT + "/" + key;
        recorder.invoke(process, WatchChecker.DELETE, key, null);
        try {
            TxnResult result = clients.get(writer).txn().compare(Compare.exists(path, true)).then(Ops.delete(path, -1)).commit();
            if (result.succeeded()) {
                acknowledged(process, WatchChecker.DELETE, key, null, result.revision());
            } else {
                recorder.complete(process, Type.FAIL, WatchChecker.DELETE, key, null);
            }
        } catch (RuntimeException e) {
            failed(writer, WatchChecker.DELETE, key, null, e);
        }
    }

    private void acknowledged(long process, String f, String key, Long value, long revision) {
        highestAcknowledged.accumulateAndGet(revision, Math::max);
        recorder.complete(process, Type.OK, f, key, Arrays.asList(value, revision));
    }

    private void failed(int writer, String f, String key, Long value, RuntimeException e) {
        Type type = RegisterWorkload.certainlyNotApplied(e) ? Type.FAIL : Type.INFO;
        recorder.complete(processes[writer], type, f, key, value);
        if (type == Type.INFO) {
            processes[writer] += processStride;
        }
        if (!(e instanceof CoordinatorException)) {
            log.warn("writer {}: {} {} failed unexpectedly (recorded as info)", writer, f, key, e);
        }
    }

    @Override
    public void stop() throws InterruptedException {
        threads.stop();
    }

    /**
     * Waits until every watcher whose watch runs delivered the highest acknowledged revision, then stops
     * recording: the history ends with the final phase.
     *
     * @return true when every watcher started and every one still running caught up
     */
    @Override
    public boolean finalReads(Duration timeout) {
        long target = highestAcknowledged.get();
        Duration bound = timeout.compareTo(CATCH_UP_MAX) < 0 ? timeout : CATCH_UP_MAX;
        long deadline = System.nanoTime() + bound.toNanos();
        List<RecordingWatcher> behind = behind(target);
        while (!behind.isEmpty() && System.nanoTime() < deadline && Clients.pause(100)) {
            behind = behind(target);
        }
        watchers.forEach(RecordingWatcher::stopRecording);
        for (RecordingWatcher watcher : watchers) {
            log.info("watcher {}: {} at revision {} of {}{}", watcher.name(), watcher.started() ? "watching" : "never started",
                    watcher.lastRevision(), target, watcher.endedBy() == null ? "" : ", ended by " + watcher.endedBy());
        }
        return behind.isEmpty() && watchers.stream().allMatch(RecordingWatcher::started);
    }

    private List<RecordingWatcher> behind(long target) {
        return watchers.stream().filter(w -> w.started() && w.endedBy() == null && w.lastRevision() < target).toList();
    }

    /**
     * One key, {@code watch}; {@code details}: writes and deletes by outcome, the start and highest
     * acknowledged revisions, each watcher's range and counts, and the violations (at most
     * {@value #SHOWN_MAX}, with their operations, and the count by rule).
     */
    @Override
    public RunVerdict.Result judge(Path history, Duration timeLimit) throws IOException, HistoryFormatException {
        long start = System.nanoTime();
        WatchChecker checker = new WatchChecker();
        History all = History.read(history, checker);
        WatchChecker.Result result = checker.check(all);
        Map<String, Object> details = new LinkedHashMap<>();
        Map<String, Long> writes = new TreeMap<>();
        all.operations().stream().filter(op -> op.f().equals(WatchChecker.WRITE) || op.f().equals(WatchChecker.DELETE))
                .forEach(op -> writes.merge(op.f() + " " + op.outcome().name().toLowerCase(Locale.ROOT), 1L, Long::sum));
        details.put("writes", writes);
        details.put("startRevision", startRevision);
        details.put("highestAcknowledgedRevision", result.highestAcknowledged());
        List<Map<String, Object>> shownWatchers = new ArrayList<>();
        for (WatchHistory.Watcher watcher : result.watchers()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("process", watcher.process());
            one.put("name", watcherNames.getOrDefault(watcher.process(), "?"));
            one.put("from", watcher.from());
            one.put("last", watcher.last());
            one.put("deliveries", watcher.deliveries().size());
            one.put("events", watcher.events());
            one.put("endedBy", watcher.ended() == null ? null : watcher.ended().output());
            shownWatchers.add(one);
        }
        details.put("watchers", shownWatchers);
        details.put("watchersEnded", result.watchers().stream().filter(w -> w.ended() != null).count());
        Map<String, Long> byRule = new TreeMap<>();
        result.violations().forEach(v -> byRule.merge(v.rule().word(), 1L, Long::sum));
        details.put("violationsByRule", byRule);
        details.put("violations", result.violations().stream().limit(SHOWN_MAX).map(v -> Map.of("rule", v.rule().word(), "what",
                v.what(), "ops", v.ops().stream().map(Operation::describe).toList())).toList());
        List<String> notes = new ArrayList<>();
        result.watchers().stream().filter(w -> w.ended() != null).forEach(w -> notes.add("watcher " + w.process() + " ("
                + watcherNames.getOrDefault(w.process(), "?") + ") ended by " + w.ended().output() + " after revision " + w.last()));
        List<String> why = WatchChecker.describe(result.violations().stream().limit(SHOWN_MAX).toList());
        notes.addAll(why);
        if (result.violations().size() > SHOWN_MAX) {
            notes.add("... " + (result.violations().size() - SHOWN_MAX) + " more violations; by rule in verdict.json: " + byRule);
        }
        // The first violation's operations are the counterexample the report outlines in red.
        WatchChecker.Violation first = result.violations().isEmpty() ? null : result.violations().get(0);
        RunVerdict.KeyResult key = new RunVerdict.KeyResult("watch", result.verdict(), all.operations().size(),
                first == null ? List.of() : first.ops(), result.reason(), first == null ? null : first.rule().word() + ": " + first.what());
        return new RunVerdict.Result(result.verdict(), all.operations().size(), List.of(key), (System.nanoTime() - start) / 1e9,
                details, notes);
    }

    @Override
    public void close() {
        threads.close();
        watchers.forEach(RecordingWatcher::stopRecording);
        List<Coordinator> all = new ArrayList<>(clients);
        watchers.forEach(w -> all.add(w.client()));
        Clients.closeAll(all);
    }
}

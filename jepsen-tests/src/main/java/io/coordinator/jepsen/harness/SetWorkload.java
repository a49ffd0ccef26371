package io.coordinator.jepsen.harness;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Endpoint;
import io.coordinator.core.api.CreateMode;
import io.coordinator.jepsen.checker.History;
import io.coordinator.jepsen.checker.HistoryFormatException;
import io.coordinator.jepsen.checker.SetChecker;
import io.coordinator.jepsen.checker.Values;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;
import io.coordinator.protocol.message.Consistency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Jepsen's set workload: {@code clients} threads add unique integers, each as a persistent node
 * {@code /harness/set/e<n>} (client {@code i} adds {@code i * 1e9 + 0, 1, 2, ...}); after the faults
 * are healed every client reads the children linearizably until one read succeeds. {@link SetChecker}
 * then finds elements lost (acknowledged before a read began, missing from it) and unexpected (in a read,
 * never possibly added). Outcomes as {@link RegisterWorkload}'s: UNAVAILABLE and OVERLOADED are
 * {@code fail}, anything else unexpected {@code info} and a new process. NODE_EXISTS on an add is
 * {@code ok}: no one else creates that name, so an earlier attempt of the same call created it.
 */
public final class SetWorkload implements Workload {
    public static final String ROOT = "/harness/set";
    static final long ELEMENTS_PER_CLIENT = 1_000_000_000L;
    private static final Logger log = LoggerFactory.getLogger(SetWorkload.class);

    private final List<Endpoint> endpoints;
    private final HistoryRecorder recorder;
    private final List<Coordinator> clients = new ArrayList<>();
    private final List<Random> randoms = new ArrayList<>();
    private final long[] processes;
    private final long[] nextElement;
    private final ClientThreads threads = new ClientThreads();

    /** @param seed decides the clients' pauses */
    public SetWorkload(List<Endpoint> endpoints, int clients, long seed, HistoryRecorder recorder) {
        if (clients <= 0) {
            throw new IllegalArgumentException("clients must be positive: " + clients);
        }
        this.endpoints = List.copyOf(endpoints);
        this.recorder = recorder;
        this.processes = new long[clients];
        this.nextElement = new long[clients];
        Random seeds = new Random(seed);
        for (int i = 0; i < clients; i++) {
            processes[i] = i;
            nextElement[i] = i * ELEMENTS_PER_CLIENT;
            randoms.add(new Random(seeds.nextLong()));
        }
    }

    @Override
    public void setUp(Duration timeout) {
        for (int i = 0; i < processes.length; i++) {
            clients.add(Clients.connect(endpoints, i, 10_000, timeout));
        }
        Clients.createPaths(clients.get(0), timeout, "/harness", ROOT);
    }

    @Override
    public void start() {
        threads.start("set-client-", clients.size(), this::run);
    }

    private void run(int client) {
        Random random = randoms.get(client);
        while (threads.running()) {
            add(client, nextElement[client]++);
            if (!Clients.pause(random.nextInt((int) RegisterWorkload.PAUSE_MILLIS_MAX + 1))) {
                return;
            }
        }
    }

    @Override
    public void stop() throws InterruptedException {
        threads.stop();
    }

    /** Every client reads the whole set until one read succeeds; every attempt is recorded. */
    @Override
    public boolean finalReads(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (int client = 0; client < clients.size(); client++) {
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                done = read(client);
                if (!done) {
                    Clients.pause(200);
                }
            }
            all &= done;
        }
        return all;
    }

    static String path(long element) {
        return ROOT + "/e" + element;
    }

    private void add(int client, long element) {
        long process = processes[client];
        recorder.invoke(process, "add", null, element);
        try {
            clients.get(client).create(path(element), new byte[0], CreateMode.PERSISTENT);
            recorder.complete(process, Type.OK, "add", null, element);
        } catch (CoordinatorException.NodeExistsException created) {
            recorder.complete(process, Type.OK, "add", null, element);
        } catch (RuntimeException e) {
            failed(client, "add", element, e);
        }
    }

    /** @return true when the read succeeded */
    private boolean read(int client) {
        long process = processes[client];
        recorder.invoke(process, "read", null, null);
        try {
            List<String> names = clients.get(client).children(ROOT, false, Consistency.LINEARIZABLE).names();
            List<Long> elements = new ArrayList<>(names.size());
            for (String name : names) {
                elements.add(Long.parseLong(name.substring(1)));
            }
            java.util.Collections.sort(elements);
            recorder.complete(process, Type.OK, "read", null, elements);
            return true;
        } catch (RuntimeException e) {
            failed(client, "read", null, e);
            return false;
        }
    }

    private void failed(int client, String f, Object value, RuntimeException e) {
        Type type = RegisterWorkload.certainlyNotApplied(e) ? Type.FAIL : Type.INFO;
        recorder.complete(processes[client], type, f, null, value);
        if (type == Type.INFO) {
            processes[client] += clients.size();
        }
        if (!(e instanceof CoordinatorException)) {
            log.warn("client {}: {} failed unexpectedly (recorded as info)", client, f, e);
        }
    }

    /**
     * One "key", {@code set}, judged by {@link SetChecker}; {@code details} counts adds by outcome, reads,
     * and lists lost and unexpected elements (at most {@link #SHOWN_MAX} of each, with the total).
     */
    @Override
    public RunVerdict.Result judge(Path history, Duration timeLimit) throws IOException, HistoryFormatException {
        long start = System.nanoTime();
        SetChecker checker = new SetChecker();
        History all = History.read(history, checker);
        SetChecker.Result result = checker.check(all);
        Map<String, Object> details = new LinkedHashMap<>();
        Map<String, Long> adds = new java.util.TreeMap<>();
        all.operations().stream().filter(op -> op.f().equals("add"))
                .forEach(op -> adds.merge(op.outcome().name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum));
        details.put("adds", adds);
        details.put("readsOk", result.reads());
        details.put("lostCount", result.lost().size());
        details.put("lost", shown(result.lost().keySet()));
        details.put("unexpectedCount", result.unexpected().size());
        details.put("unexpected", shown(result.unexpected().keySet()));
        List<String> notes = new ArrayList<>();
        if (result.verdict() == io.coordinator.jepsen.checker.Verdict.INVALID) {
            List<String> why = SetChecker.describe(result);
            notes.addAll(why.subList(0, Math.min(why.size(), SHOWN_MAX)));
            if (why.size() > SHOWN_MAX) {
                notes.add("... " + (why.size() - SHOWN_MAX) + " more in verdict.json");
            }
        }
        RunVerdict.KeyResult key = new RunVerdict.KeyResult("set", result.verdict(), all.operations().size(), List.of(),
                result.reason());
        return new RunVerdict.Result(result.verdict(), all.operations().size(), List.of(key), (System.nanoTime() - start) / 1e9,
                details, notes);
    }

    static final int SHOWN_MAX = 20;

    private static List<String> shown(java.util.Collection<Object> elements) {
        return elements.stream().limit(SHOWN_MAX).map(Values::show).toList();
    }

    @Override
    public void close() {
        threads.close();
        Clients.closeAll(clients);
    }
}

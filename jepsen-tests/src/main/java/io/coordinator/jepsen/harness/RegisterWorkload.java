package io.coordinator.jepsen.harness;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Endpoint;
import io.coordinator.client.Ops;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;
import io.coordinator.protocol.message.Consistency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Jepsen's register workload: {@code clients} threads, each with its own {@link Coordinator}, doing
 * random reads, writes and compare-and-sets of small integers on {@code keys} independent registers
 * ({@code /harness/r/k0}, ...), every call recorded in a {@link HistoryRecorder} for the linearizability
 * checker. A register starts absent (the checker's initial state, {@code null}):
 * <ul>
 *   <li>read: a linearizable get (serializable only when asked, to show the checker catching stale
 *       reads); NO_NODE is an {@code ok} read of {@code null};</li>
 *   <li>write: a txn {@code if exists then set else create}, so that it writes whether or not the
 *       node is there yet, in one revision;</li>
 *   <li>cas {@code [a, b]}: a txn {@code if value == a then set b}; a compare that did not hold is a
 *       {@code fail} (it observed another value, nothing changed).</li>
 * </ul>
 * An error that promises nothing was applied (UNAVAILABLE, OVERLOADED) is a {@code fail}; any other
 * (TIMEOUT: outcome unknown, anything unexpected) is {@code info}, and the client continues as a new
 * process, as in Jepsen, so that each process has at most one operation whose outcome is open.
 *
 * <p>Clients {@code 0 .. members-1} are each bound to member {@code i} alone, as Jepsen's clients are to
 * their nodes, so some always keep asking the member a fault hit; the others list member
 * {@code i % members} first, do not shuffle, and move on when it fails them. Each call is bounded by a
 * short request timeout, so a fault produces {@code fail} and {@code info}, never a hang.
 */
public final class RegisterWorkload implements Workload {
    public static final String ROOT = "/harness/r";
    static final long REQUEST_TIMEOUT_MILLIS = 2_500;
    static final long ATTEMPT_TIMEOUT_MILLIS = 1_000;
    static final long CONNECT_TIMEOUT_MILLIS = 500;
    /** Each client pauses up to this long between calls (uniformly at random), as Jepsen's stagger. */
    static final long PAUSE_MILLIS_MAX = 20;
    static final int VALUES = 5;
    private static final Logger log = LoggerFactory.getLogger(RegisterWorkload.class);
    /** The clients' sessions: the register needs none, but a client opens one; the default TTL. */
    private static final long SESSION_TTL_MILLIS = 10_000;

    private final List<Endpoint> endpoints;
    private final Consistency reads;
    private final int keys;
    private final HistoryRecorder recorder;
    private final List<Coordinator> clients = new ArrayList<>();
    private final List<Random> randoms = new ArrayList<>();
    private final long[] processes;
    private final ClientThreads threads = new ClientThreads();

    /**
     * @param endpoints the members' client endpoints, in member order
     * @param reads     LINEARIZABLE for the real check; SERIALIZABLE reads are served locally and may be
     *                  stale, so a run with them shows that the checker sees staleness
     * @param seed      decides every client's choice of operation, key, value and pause
     */
    public RegisterWorkload(List<Endpoint> endpoints, Consistency reads, int clients, int keys, long seed, HistoryRecorder recorder) {
        if (clients <= 0 || keys <= 0) {
            throw new IllegalArgumentException("clients and keys must be positive: " + clients + ", " + keys);
        }
        this.endpoints = List.copyOf(endpoints);
        this.reads = java.util.Objects.requireNonNull(reads);
        this.keys = keys;
        this.recorder = recorder;
        this.processes = new long[clients];
        Random seeds = new Random(seed);
        for (int i = 0; i < clients; i++) {
            processes[i] = i;
            randoms.add(new Random(seeds.nextLong()));
        }
    }

    /** The key name in the history and its node's path. */
    static String key(int index) {
        return "k" + index;
    }

    static String path(String key) {
        return ROOT + "/" + key;
    }

    /** Connects every client and creates the registers' parent, with nothing recorded yet. */
    @Override
    public void setUp(Duration timeout) {
        for (int i = 0; i < processes.length; i++) {
            // The first clients, one per member, are bound to it; the others move between members.
            clients.add(i < endpoints.size() ? Clients.connectPinned(endpoints, i, SESSION_TTL_MILLIS, timeout)
                    : Clients.connect(endpoints, i, SESSION_TTL_MILLIS, timeout));
        }
        Clients.createPaths(clients.get(0), timeout, "/harness", ROOT);
    }

    @Override
    public void start() {
        threads.start("register-client-", clients.size(), this::run);
    }

    private void run(int client) {
        Random random = randoms.get(client);
        while (threads.running()) {
            String key = key(random.nextInt(keys));
            switch (random.nextInt(3)) {
                case 0 -> read(client, key);
                case 1 -> write(client, key, (long) random.nextInt(VALUES));
                default -> cas(client, key, (long) random.nextInt(VALUES), (long) random.nextInt(VALUES));
            }
            if (!Clients.pause(random.nextInt((int) PAUSE_MILLIS_MAX + 1))) {
                return;
            }
        }
    }

    /** Stops the clients after their current call; each call is bounded by its request timeout. */
    @Override
    public void stop() throws InterruptedException {
        threads.stop();
    }

    /**
     * Jepsen's final reads: once faults are over, every client reads every key until one read of it
     * succeeds, so a lost write cannot hide behind the end of the history. Every attempt is recorded.
     *
     * @return true when every client read every key within {@code timeout}
     */
    @Override
    public boolean finalReads(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (int client = 0; client < clients.size(); client++) {
            for (int k = 0; k < keys; k++) {
                boolean done = false;
                while (!done && System.nanoTime() < deadline) {
                    done = read(client, key(k));
                    if (!done) {
                        Clients.pause(200);
                    }
                }
                all &= done;
            }
        }
        return all;
    }

    /** @return true when the read succeeded */
    private boolean read(int client, String key) {
        long process = processes[client];
        recorder.invoke(process, "read", key, null);
        try {
            Long value = Long.parseLong(clients.get(client).get(path(key), reads).dataUtf8());
            recorder.complete(process, Type.OK, "read", key, value);
            return true;
        } catch (CoordinatorException.NoNodeException absent) {
            recorder.complete(process, Type.OK, "read", key, null);
            return true;
        } catch (RuntimeException e) {
            failed(client, "read", key, null, e);
            return false;
        }
    }

    private void write(int client, String key, Long value) {
        long process = processes[client];
        recorder.invoke(process, "write", key, value);
        String path = path(key);
        byte[] data = bytes(value);
        try {
            clients.get(client).txn()
                    .compare(Compare.exists(path, true))
                    .then(Ops.set(path, data, -1))
                    .orElse(Ops.create(path, data, CreateMode.PERSISTENT))
                    .commit();
            recorder.complete(process, Type.OK, "write", key, value);
        } catch (RuntimeException e) {
            failed(client, "write", key, value, e);
        }
    }

    private void cas(int client, String key, Long expected, Long value) {
        long process = processes[client];
        List<Long> pair = List.of(expected, value);
        recorder.invoke(process, "cas", key, pair);
        String path = path(key);
        try {
            boolean swapped = clients.get(client).txn()
                    .compare(Compare.value(path, Compare.Operator.EQUAL, bytes(expected)))
                    .then(Ops.set(path, bytes(value), -1))
                    .commit().succeeded();
            recorder.complete(process, swapped ? Type.OK : Type.FAIL, "cas", key, pair);
        } catch (RuntimeException e) {
            failed(client, "cas", key, pair, e);
        }
    }

    private void failed(int client, String f, String key, Object value, RuntimeException e) {
        // A failed cas is an observation (the register held another value), which an error is not: a cas
        // refused with UNAVAILABLE observed nothing, so it is recorded as info, which promises nothing.
        Type type = certainlyNotApplied(e) && !f.equals("cas") ? Type.FAIL : Type.INFO;
        recorder.complete(processes[client], type, f, key, value);
        if (type == Type.INFO) {
            processes[client] += clients.size();
        }
        if (!(e instanceof CoordinatorException)) {
            log.warn("client {}: {} {} failed unexpectedly (recorded as info)", client, f, key, e);
        }
    }

    /** The client's contract: UNAVAILABLE and OVERLOADED mean no attempt of the call was applied. */
    static boolean certainlyNotApplied(RuntimeException e) {
        return e instanceof CoordinatorException c && (c.code() == ErrorCode.UNAVAILABLE || c.code() == ErrorCode.OVERLOADED);
    }

    /** Key by key, with the register model. */
    @Override
    public RunVerdict.Result judge(java.nio.file.Path history, Duration timeLimit)
            throws java.io.IOException, io.coordinator.jepsen.checker.HistoryFormatException {
        return RunVerdict.check(history, timeLimit);
    }

    private static byte[] bytes(Long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        threads.close();
        Clients.closeAll(clients);
    }
}

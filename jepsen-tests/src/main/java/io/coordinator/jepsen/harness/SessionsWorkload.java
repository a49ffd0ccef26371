package io.coordinator.jepsen.harness;

import io.coordinator.client.Coordinator;
import io.coordinator.client.Endpoint;
import io.coordinator.client.SessionState;
import io.coordinator.jepsen.checker.History;
import io.coordinator.jepsen.checker.HistoryFormatException;
import io.coordinator.jepsen.checker.SessionsChecker;
import io.coordinator.jepsen.checker.Verdict;
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
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Ephemerals and sessions: an ephemeral vanishes only after its session ended, never while it is alive.
 * The first half of the clients (at least one) are owners, the rest readers. Each client has a 3 s session,
 * so that the nemesis's 2-5 s partitions, pauses and kills expire some.
 * <ul>
 * <li>An <b>owner</b> creates an ephemeral {@code /harness/sessions/o<i>-<n>} (a new name each time) under its
 *     client's session and touches it (a write) every 100-300 ms. When its client lost the session (LOST, or
 *     a session other than the ephemeral's) or a touch finds the node or session gone, it checks the old
 *     session with {@link SessionCalls#check} (the cluster's linearizable answer, not the client's verdict,
 *     which may come first) and creates a new ephemeral, which opens a fresh session. One round in
 *     {@link #CLOSE_ONE_IN} it closes its session on purpose (its client closes; a new client follows),
 *     then checks it.</li>
 * <li>A <b>reader</b> lists the children linearizably every {@link #READ_PAUSE_MILLIS} ms, with their
 *     owners, and one time in {@link #CHECK_ONE_IN} checks a session some owner had instead.</li>
 * </ul>
 * After the heal each reader lists once and each owner checks every session it had. {@link SessionsChecker}
 * judges the history.
 */
public final class SessionsWorkload implements Workload {
    public static final String ROOT = "/harness/sessions";
    /** Short, so that a partition or pause of 2-5 s ends the sessions caught in it; the members allow 2 s. */
    static final long SESSION_TTL_MILLIS = 3_000;
    static final long TOUCH_PAUSE_MILLIS_MIN = 100;
    static final long TOUCH_PAUSE_MILLIS_MAX = 300;
    static final long READ_PAUSE_MILLIS = 50;
    /** An owner closes its session on purpose one round in this many (seeded): ~1 in 4 s. */
    static final int CLOSE_ONE_IN = 20;
    static final int CHECK_ONE_IN = 4;
    /** One connection attempt after a close; bounded well under {@link Clients#STOP_JOIN_MILLIS}, then tried again. */
    private static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final int SHOWN_MAX = 20;
    private static final Logger log = LoggerFactory.getLogger(SessionsWorkload.class);

    private final List<Endpoint> endpoints;
    private final HistoryRecorder recorder;
    private final int owners;
    private final int count;
    /** Replaced when an owner closes its session: written by that owner's thread, read by {@link #close}. */
    private final List<Coordinator> clients = new CopyOnWriteArrayList<>();
    private final List<Random> randoms = new ArrayList<>();
    /** Per owner: every session it held an ephemeral under, for its final checks. */
    private final List<List<Long>> sessionsHad = new ArrayList<>();
    /** Every owner's sessions, for the readers' checks. */
    private final List<Long> knownSessions = new CopyOnWriteArrayList<>();
    /** Owners whose client was closed on purpose when the workload stopped, before a new one connected. */
    private final java.util.Set<Integer> closedClients = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ClientThreads threads = new ClientThreads();
    private SessionCalls calls;

    /** @param seed decides the pauses, the deliberate closes and which sessions readers check */
    public SessionsWorkload(List<Endpoint> endpoints, int clients, long seed, HistoryRecorder recorder) {
        if (clients < 2) {
            throw new IllegalArgumentException("the sessions workload needs an owner and a reader: clients " + clients);
        }
        this.endpoints = List.copyOf(endpoints);
        this.recorder = recorder;
        this.count = clients;
        this.owners = clients / 2;
        Random seeds = new Random(seed);
        for (int i = 0; i < clients; i++) {
            randoms.add(new Random(seeds.nextLong()));
        }
        for (int i = 0; i < owners; i++) {
            sessionsHad.add(new CopyOnWriteArrayList<>());
        }
    }

    @Override
    public void setUp(Duration timeout) {
        for (int i = 0; i < count; i++) {
            clients.add(Clients.connect(endpoints, i, SESSION_TTL_MILLIS, timeout));
        }
        Clients.createPaths(clients.get(0), timeout, "/harness", ROOT);
        calls = new SessionCalls(recorder, clients, count);
    }

    @Override
    public void start() {
        for (int i = 0; i < count; i++) {
            int client = i;
            boolean owner = client < owners;
            threads.spawn((owner ? "sessions-owner-" : "sessions-reader-") + i, () -> {
                if (owner) {
                    own(client);
                } else {
                    read(client);
                }
            });
        }
    }

    /** An owner's loop; see the class comment. */
    private void own(int client) {
        Random random = randoms.get(client);
        String path = null;
        long session = 0;
        int created = 0;
        while (threads.running()) {
            if (path == null) {
                String next = ROOT + "/o" + client + "-" + created++;
                java.util.OptionalLong owner = calls.create(client, next);
                if (owner.isPresent()) {
                    path = next;
                    session = owner.getAsLong();
                    sessionsHad.get(client).add(session);
                    knownSessions.add(session);
                }
            } else if (lostSession(client, session)) {
                calls.check(client, session);
                path = null;
            } else if (random.nextInt(CLOSE_ONE_IN) == 0) {
                calls.close(client, session);
                if (!reconnect(client)) {
                    return;
                }
                calls.check(client, session);
                path = null;
            } else if (calls.touch(client, path) == SessionCalls.Touch.GONE) {
                calls.check(client, session);
                path = null;
            }
            long pause = TOUCH_PAUSE_MILLIS_MIN + random.nextInt((int) (TOUCH_PAUSE_MILLIS_MAX - TOUCH_PAUSE_MILLIS_MIN + 1));
            if (!Clients.pause(pause)) {
                return;
            }
        }
    }

    /** The client's own verdict, enough to move on; what the cluster says is what {@link SessionCalls#check} records. */
    private boolean lostSession(int client, long session) {
        Coordinator coordinator = clients.get(client);
        return coordinator.state() == SessionState.LOST
                || coordinator.session().map(s -> s.sessionId() != session).orElse(true);
    }

    /** @return false when the workload stopped first: the client stays closed, {@link #finalReads} connects it */
    private boolean reconnect(int client) {
        while (threads.running()) {
            try {
                clients.set(client, Clients.connect(endpoints, client, SESSION_TTL_MILLIS, RECONNECT_TIMEOUT));
                return true;
            } catch (RuntimeException e) {
                log.info("client {}: reconnecting after a close failed ({}); trying again", client, e.getMessage());
            }
        }
        closedClients.add(client);
        return false;
    }

    private void read(int client) {
        Random random = randoms.get(client);
        while (threads.running()) {
            if (random.nextInt(CHECK_ONE_IN) == 0 && !knownSessions.isEmpty()) {
                calls.check(client, knownSessions.get(random.nextInt(knownSessions.size())));
            } else {
                calls.read(client, ROOT);
            }
            if (!Clients.pause(READ_PAUSE_MILLIS)) {
                return;
            }
        }
    }

    @Override
    public void stop() throws InterruptedException {
        threads.stop();
    }

    /** Each reader lists until one read succeeds; each owner checks every session it had until answered. */
    @Override
    public boolean finalReads(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (int client = owners; client < count; client++) {
            int reader = client;
            all &= untilDone(deadline, () -> calls.read(reader, ROOT));
        }
        for (int client = 0; client < owners; client++) {
            if (closedClients.contains(client) && !connectAgain(client, deadline)) {
                all = false;
                continue;
            }
            for (long session : sessionsHad.get(client)) {
                int owner = client;
                all &= untilDone(deadline, () -> calls.check(owner, session).isPresent());
            }
        }
        return all;
    }

    private boolean connectAgain(int client, long deadline) {
        try {
            clients.set(client, Clients.connect(endpoints, client, SESSION_TTL_MILLIS,
                    Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
            return true;
        } catch (RuntimeException e) {
            log.warn("client {}: could not connect for the final checks ({})", client, e.getMessage());
            return false;
        }
    }

    private static boolean untilDone(long deadline, java.util.function.BooleanSupplier call) {
        while (System.nanoTime() < deadline) {
            if (call.getAsBoolean()) {
                return true;
            }
            Clients.pause(200);
        }
        return false;
    }

    /**
     * One "key", {@code sessions}, judged by {@link SessionsChecker}; {@code details} has its counts
     * ({@code sessionsExpired}: sessions proven ended that no one closed, i.e. the faults' doing) and the
     * violations, at most {@link #SHOWN_MAX} lines of them in the notes.
     */
    @Override
    public RunVerdict.Result judge(Path history, Duration timeLimit) throws IOException, HistoryFormatException {
        long start = System.nanoTime();
        SessionsChecker checker = new SessionsChecker();
        History all = History.read(history, checker);
        SessionsChecker.Result result = checker.check(all);
        SessionsChecker.Counts counts = result.counts();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("createsOk", counts.createsOk());
        details.put("touchesOk", counts.touchesOk());
        details.put("closes", counts.closes());
        details.put("checksOk", counts.checksOk());
        details.put("readsOk", counts.readsOk());
        details.put("sessionsEnded", counts.sessionsEnded());
        details.put("sessionsExpired", counts.sessionsExpired());
        details.put("violationCount", result.violations().size());
        List<String> why = SessionsChecker.describe(result);
        details.put("violations", why);
        List<String> notes = new ArrayList<>();
        if (result.verdict() == Verdict.INVALID) {
            notes.addAll(why.subList(0, Math.min(why.size(), SHOWN_MAX)));
            if (why.size() > SHOWN_MAX) {
                notes.add("... " + (why.size() - SHOWN_MAX) + " more lines in verdict.json");
            }
        }
        // The first violation's operations are the counterexample the report outlines in red.
        SessionsChecker.Violation first = result.violations().isEmpty() ? null : result.violations().get(0);
        RunVerdict.KeyResult key = new RunVerdict.KeyResult("sessions", result.verdict(), all.operations().size(),
                first == null ? List.of() : first.ops(), result.reason(), first == null ? null : first.rule().words() + ": " + first.why());
        return new RunVerdict.Result(result.verdict(), all.operations().size(), List.of(key), (System.nanoTime() - start) / 1e9,
                details, notes);
    }

    @Override
    public void close() {
        threads.close();
        Clients.closeAll(clients);
    }
}

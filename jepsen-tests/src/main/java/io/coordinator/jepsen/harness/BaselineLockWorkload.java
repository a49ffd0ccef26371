package io.coordinator.jepsen.harness;

import io.coordinator.client.recipes.FencedResource;
import io.coordinator.client.recipes.FencingException;
import io.coordinator.jepsen.checker.HistoryFormatException;
import io.coordinator.jepsen.harness.FencedResourceCheck.Mark;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link LockWorkload}'s loop and checks against a baseline system's lock: each client acquires (bounded),
 * and while holding writes {@code begin} to an in-process resource with the grant's token, writes
 * {@link LockWorkload#DATA} in the system, pauses up to {@link LockWorkload#HOLD_MILLIS_MAX} ms, writes
 * {@code end}, and releases. One grant in {@link LockWorkload#ABANDON_ONE_IN} (seeded) ends without its
 * holder's release, as a holder that crashed or stalled past its session or lease: how is the
 * subclass's ({@link #endWithoutRelease}); {@link LockWorkload#LATE_MILLIS} later the old holder still
 * writes, in the system and to the resource. Judged as {@link LockWorkload#judge(Path, Duration, List,
 * long, Map, String) the Coordinator lock}: {@code MutexModel} on acquire/release (a release {@code ok}
 * only when confirmed: the grant was still alive when released) and {@link FencedResourceCheck}.
 *
 * <p>The resource is {@link FencedResource} (refuses a token below the highest it saw) when the system
 * hands out a token a careful user would fence with; otherwise it accepts every write, and two holders
 * at once show as interleaved grants.
 */
abstract class BaselineLockWorkload implements Workload {
    /** A grant as its holder knows it: its token, and what the system needs to write under it and release it. */
    interface Grant {
        long token();
    }

    /** How an acquire ended: {@code ok} with the grant; {@code fail} (nothing held) or {@code info}, with why. */
    record Acquire(Type type, Grant grant, String why) {
        static Acquire ok(Grant grant) {
            return new Acquire(Type.OK, grant, "");
        }

        static Acquire not(Type type, String why) {
            return new Acquire(type, null, why);
        }
    }

    private final HistoryRecorder recorder;
    private final boolean fencedResource;
    private final List<Random> randoms = new ArrayList<>();
    private final long[] processes;
    private final ClientThreads threads = new ClientThreads();
    private final FencedResource<Mark> fenced = new FencedResource<>("harness-resource");
    private final List<FencedResource.Write<Mark>> unfenced = new ArrayList<>();
    private final AtomicLong grants = new AtomicLong();
    private final Map<String, AtomicLong> counts = new ConcurrentSkipListMap<>();

    /** @param fencedResource whether the in-process resource checks tokens */
    BaselineLockWorkload(int clients, long seed, boolean fencedResource, HistoryRecorder recorder) {
        if (clients <= 0) {
            throw new IllegalArgumentException("clients must be positive: " + clients);
        }
        this.recorder = recorder;
        this.fencedResource = fencedResource;
        this.processes = new long[clients];
        Random seeds = new Random(seed);
        for (int i = 0; i < clients; i++) {
            processes[i] = i;
            randoms.add(new Random(seeds.nextLong()));
        }
    }

    int clients() {
        return processes.length;
    }

    /** Waits up to about {@link LockWorkload#ACQUIRE_WAIT_MILLIS} for the lock. */
    abstract Acquire acquire(int client) throws InterruptedException;

    /**
     * The holder's write of {@code grant} to {@link LockWorkload#DATA}; counts what happened.
     *
     * @param late written after the grant ended without release ({@link #endWithoutRelease})
     */
    abstract void writeData(int client, Grant grant, long grantNumber, boolean late);

    /** Releases; true only when the grant was certainly still alive when it ended here. */
    abstract boolean release(int client, Grant grant);

    /** Ends the grant the way a holder that crashed or stalled would, with no release. */
    abstract void endWithoutRelease(int client, Grant grant) throws InterruptedException;

    /** What the resource's tokens are, for the note in verdict.json. */
    abstract String tokenMeaning();

    void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public void start() {
        threads.start("lock-client-", processes.length, this::run);
    }

    private void run(int client) {
        Random random = randoms.get(client);
        try {
            while (threads.running()) {
                Optional<Grant> grant = recordedAcquire(client);
                if (grant.isPresent()) {
                    hold(client, grant.get(), random);
                }
                Clients.pause(random.nextInt((int) RegisterWorkload.PAUSE_MILLIS_MAX + 1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Optional<Grant> recordedAcquire(int client) throws InterruptedException {
        long process = processes[client];
        recorder.invoke(process, "acquire", LockWorkload.KEY, null);
        Acquire acquire;
        try {
            acquire = acquire(client);
        } catch (InterruptedException e) {
            recorder.complete(process, Type.INFO, "acquire", LockWorkload.KEY, null);
            processes[client] += processes.length;
            throw e;
        }
        if (acquire.type() == Type.OK) {
            recorder.complete(process, Type.OK, "acquire", LockWorkload.KEY, acquire.grant().token());
            return Optional.of(acquire.grant());
        }
        count("acquire " + acquire.type().word() + ": " + acquire.why());
        recorder.complete(process, acquire.type(), "acquire", LockWorkload.KEY, null);
        if (acquire.type() == Type.INFO) {
            processes[client] += processes.length;
        }
        return Optional.empty();
    }

    private void hold(int client, Grant grant, Random random) throws InterruptedException {
        long number = grants.incrementAndGet();
        if (random.nextInt(LockWorkload.ABANDON_ONE_IN) == 0) {
            abandon(client, grant, number);
            return;
        }
        if (resourceWrite(grant.token(), new Mark(number, Mark.BEGIN))) {
            writeData(client, grant, number, false);
            Clients.pause(random.nextInt((int) LockWorkload.HOLD_MILLIS_MAX + 1));
            resourceWrite(grant.token(), new Mark(number, Mark.END));
        }
        long process = processes[client];
        recorder.invoke(process, "release", LockWorkload.KEY, null);
        if (release(client, grant)) {
            count("release confirmed");
            recorder.complete(process, Type.OK, "release", LockWorkload.KEY, null);
        } else {
            count("release unconfirmed");
            recorder.complete(process, Type.INFO, "release", LockWorkload.KEY, "unconfirmed");
            processes[client] += processes.length;
        }
    }

    /** As {@link LockWorkload}'s abandoned grant: the grant ends without release, then its holder writes late. */
    private void abandon(int client, Grant grant, long number) throws InterruptedException {
        long process = processes[client];
        count("grant abandoned");
        resourceWrite(grant.token(), new Mark(number, Mark.BEGIN));
        recorder.invoke(process, "release", LockWorkload.KEY, null);
        processes[client] += processes.length;
        try {
            endWithoutRelease(client, grant);
            Clients.pause(LockWorkload.LATE_MILLIS);
            writeData(client, grant, number, true);
            resourceWrite(grant.token(), new Mark(number, Mark.END));
        } finally {
            recorder.complete(process, Type.INFO, "release", LockWorkload.KEY, "abandoned");
        }
    }

    /** @return true when the resource accepted it */
    private boolean resourceWrite(long token, Mark mark) {
        if (!fencedResource) {
            synchronized (unfenced) {
                unfenced.add(new FencedResource.Write<>(token, mark));
            }
            count("resource write accepted");
            return true;
        }
        try {
            fenced.write(token, mark);
            count("resource write accepted");
            return true;
        } catch (FencingException e) {
            count("resource write refused");
            return false;
        }
    }

    @Override
    public void stop() throws InterruptedException {
        threads.stop();
    }

    /** Nothing to read: the resource is in memory, complete once the clients stopped. */
    @Override
    public boolean finalReads(Duration timeout) {
        return true;
    }

    @Override
    public RunVerdict.Result judge(Path history, Duration timeLimit) throws IOException, HistoryFormatException {
        Map<String, Long> countsNow = new LinkedHashMap<>();
        counts.forEach((k, v) -> countsNow.put(k, v.get()));
        List<FencedResource.Write<Mark>> accepted;
        synchronized (unfenced) {
            accepted = fencedResource ? fenced.accepted() : List.copyOf(unfenced);
        }
        String note = (fencedResource ? "resource fenced by " : "resource NOT fenced (it accepts every write); tokens are ")
                + tokenMeaning() + "; counts: " + countsNow;
        return LockWorkload.judge(history, timeLimit, accepted, grants.get(), countsNow, note);
    }

    /** Stops the loop; subclasses close their clients after this. */
    @Override
    public void close() {
        threads.close();
    }
}

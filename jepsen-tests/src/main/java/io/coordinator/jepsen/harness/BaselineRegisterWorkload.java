package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.checker.HistoryFormatException;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link RegisterWorkload}'s loop and history against a baseline system (ZooKeeper, etcd): the same
 * seeded choice of read, write and cas of small integers on {@code keys} registers that start absent,
 * the same pauses, the same final reads, the same per-key check; only the calls differ, and each
 * subclass says which of its outcomes are certain. As there, clients {@code 0 .. members-1} are each
 * bound to one member and the others may move, and a client whose outcome is open ({@code info})
 * continues as a new process.
 */
abstract class BaselineRegisterWorkload implements Workload {
    /** A read's outcome: {@code ok} with the value (null: absent), or {@code fail} (a read changes nothing). */
    record Read(Type type, Long value) {
        static Read ok(Long value) {
            return new Read(Type.OK, value);
        }

        static Read failed() {
            return new Read(Type.FAIL, null);
        }
    }

    private final int keys;
    private final HistoryRecorder recorder;
    private final List<Random> randoms = new ArrayList<>();
    private final long[] processes;
    private final ClientThreads threads = new ClientThreads();

    BaselineRegisterWorkload(int clients, int keys, long seed, HistoryRecorder recorder) {
        if (clients <= 0 || keys <= 0) {
            throw new IllegalArgumentException("clients and keys must be positive: " + clients + ", " + keys);
        }
        this.keys = keys;
        this.recorder = recorder;
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

    abstract Read read(int client, String key);

    abstract Type write(int client, String key, long value);

    /** {@code ok} swapped, {@code fail} certainly not (another value seen, or refused), {@code info} unknown. */
    abstract Type cas(int client, String key, long expected, long value);

    @Override
    public void start() {
        threads.start("register-client-", processes.length, this::run);
    }

    private void run(int client) {
        Random random = randoms.get(client);
        while (threads.running()) {
            String key = RegisterWorkload.key(random.nextInt(keys));
            switch (random.nextInt(3)) {
                case 0 -> recordedRead(client, key);
                case 1 -> recordedWrite(client, key, random.nextInt(RegisterWorkload.VALUES));
                default -> recordedCas(client, key, random.nextInt(RegisterWorkload.VALUES), random.nextInt(RegisterWorkload.VALUES));
            }
            if (!Clients.pause(random.nextInt((int) RegisterWorkload.PAUSE_MILLIS_MAX + 1))) {
                return;
            }
        }
    }

    private boolean recordedRead(int client, String key) {
        long process = processes[client];
        recorder.invoke(process, "read", key, null);
        Read read = read(client, key);
        recorder.complete(process, read.type(), "read", key, read.value());
        return read.type() == Type.OK;
    }

    private void recordedWrite(int client, String key, long value) {
        long process = processes[client];
        recorder.invoke(process, "write", key, value);
        completed(client, process, write(client, key, value), "write", key, value);
    }

    private void recordedCas(int client, String key, long expected, long value) {
        long process = processes[client];
        List<Long> pair = List.of(expected, value);
        recorder.invoke(process, "cas", key, pair);
        completed(client, process, cas(client, key, expected, value), "cas", key, pair);
    }

    private void completed(int client, long process, Type type, String f, String key, Object value) {
        recorder.complete(process, type, f, key, value);
        if (type == Type.INFO) {
            processes[client] += processes.length;
        }
    }

    @Override
    public void stop() throws InterruptedException {
        threads.stop();
    }

    /** As {@link RegisterWorkload#finalReads}: every client reads every key until one read succeeds. */
    @Override
    public boolean finalReads(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (int client = 0; client < processes.length; client++) {
            for (int k = 0; k < keys; k++) {
                boolean done = false;
                while (!done && System.nanoTime() < deadline) {
                    done = recordedRead(client, RegisterWorkload.key(k));
                    if (!done) {
                        Clients.pause(200);
                    }
                }
                all &= done;
            }
        }
        return all;
    }

    @Override
    public RunVerdict.Result judge(Path history, Duration timeLimit) throws IOException, HistoryFormatException {
        return RunVerdict.check(history, timeLimit);
    }

    /** Stops the loop; subclasses close their clients after this. */
    @Override
    public void close() {
        threads.close();
    }
}

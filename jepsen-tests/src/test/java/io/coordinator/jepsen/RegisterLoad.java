package io.coordinator.jepsen;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One writer setting a key (by default {@link #KEY}) to 1, 2, 3, ... one write at a time, and one reader reading it
 * linearizably, each on its own thread and client, recording every call. Because the writer is
 * sequential and its values increase, the checks need no search: a read that began after write v
 * was acknowledged returns at least v (no stale read), and never a value no write carried; after
 * the load stops, a linearizable read returns at least the highest acknowledged value (no lost
 * write). A write that failed may still be applied, at any time after it began (its outcome is
 * unknown: TIMEOUT, or a retry that ended in another code), so its value is accepted anywhere after.
 */
final class RegisterLoad implements AutoCloseable {
    static final String KEY = "/register";
    static final String OTHER_KEY = "/register-2";
    private static final long JOIN_MILLIS = 20_000;

    /** One call: value written or read (-1: none read), and whether it was acknowledged. */
    private record Call(long startNanos, long endNanos, long value, boolean ok, String failure) {
    }

    private final List<Call> writes = new ArrayList<>();
    private final List<Call> reads = new ArrayList<>();
    private final Thread writer;
    private final Thread reader;
    private final String key;
    private volatile boolean running = true;

    RegisterLoad(Coordinator writeClient, Coordinator readClient) {
        this(KEY, writeClient, readClient);
    }

    RegisterLoad(String key, Coordinator writeClient, Coordinator readClient) {
        this.key = key;
        this.writer = new Thread(() -> writeUntilStopped(writeClient), "register-writer");
        this.reader = new Thread(() -> readUntilStopped(readClient), "register-reader");
        writer.setDaemon(true);
        reader.setDaemon(true);
        writer.start();
        reader.start();
    }

    private void writeUntilStopped(Coordinator client) {
        for (long value = 1; running; value++) {
            long start = System.nanoTime();
            Call call;
            try {
                client.set(key, Long.toString(value).getBytes(StandardCharsets.UTF_8));
                call = new Call(start, System.nanoTime(), value, true, null);
            } catch (CoordinatorException e) {
                call = new Call(start, System.nanoTime(), value, false, e.code().name());
            }
            synchronized (writes) {
                writes.add(call);
            }
        }
    }

    private void readUntilStopped(Coordinator client) {
        while (running) {
            long start = System.nanoTime();
            Call call;
            try {
                long value = Long.parseLong(client.get(key).dataUtf8());
                call = new Call(start, System.nanoTime(), value, true, null);
            } catch (CoordinatorException e) {
                call = new Call(start, System.nanoTime(), -1, false, e.code().name());
            }
            synchronized (reads) {
                reads.add(call);
            }
        }
    }

    long acknowledged() {
        synchronized (writes) {
            return writes.stream().filter(Call::ok).count();
        }
    }

    void awaitAcknowledged(long count, Duration timeout) {
        await().atMost(timeout).until(() -> acknowledged() >= count);
    }

    /** Waits for a write that began after {@code nanos} to be acknowledged; returns when it was. */
    long awaitWriteStartedAndAcknowledgedAfter(long nanos, Duration timeout) {
        long[] at = new long[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> {
            synchronized (writes) {
                for (Call call : writes) {
                    if (call.ok() && call.startNanos() > nanos) {
                        at[0] = call.endNanos();
                        return true;
                    }
                }
            }
            return false;
        });
        return at[0];
    }

    void stop() throws InterruptedException {
        running = false;
        writer.join(JOIN_MILLIS);
        reader.join(JOIN_MILLIS);
        if (writer.isAlive() || reader.isAlive()) {
            fail("the load did not stop within " + JOIN_MILLIS + " ms");
        }
    }

    /** The checks of the class comment; call after {@link #stop}. */
    void checkAgainstFinalRead(Coordinator client) {
        List<Call> writeCalls;
        List<Call> readCalls;
        synchronized (writes) {
            writeCalls = List.copyOf(writes);
        }
        synchronized (reads) {
            readCalls = List.copyOf(reads);
        }
        java.util.Set<Long> unknown = new java.util.HashSet<>();
        writeCalls.stream().filter(w -> !w.ok()).forEach(w -> unknown.add(w.value()));
        long highestInvoked = writeCalls.stream().mapToLong(Call::value).max().orElse(0);
        for (Call read : readCalls) {
            if (!read.ok()) {
                continue;
            }
            long mustSee = writeCalls.stream().filter(w -> w.ok() && w.endNanos() < read.startNanos())
                    .mapToLong(Call::value).max().orElse(0);
            assertTrue(read.value() >= mustSee || unknown.contains(read.value()), "stale linearizable read: "
                    + read.value() + " after write " + mustSee + " was acknowledged");
            assertTrue(read.value() <= highestInvoked, "read " + read.value() + ", which no write carried");
        }
        long highestAcknowledged = writeCalls.stream().filter(Call::ok).mapToLong(Call::value).max().orElse(0);
        long[] last = new long[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreException(CoordinatorException.class)
                .until(() -> {
                    last[0] = Long.parseLong(client.get(key).dataUtf8());
                    return true;
                });
        assertTrue(last[0] >= highestAcknowledged || unknown.contains(last[0]), "lost acknowledged write: the register holds " + last[0]
                + " but write " + highestAcknowledged + " was acknowledged");
        System.out.printf("[register load " + key + "] %d writes (%d acknowledged), %d reads (%d answered), final value %d%n",
                writeCalls.size(), writeCalls.stream().filter(Call::ok).count(), readCalls.size(),
                readCalls.stream().filter(Call::ok).count(), last[0]);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        writer.interrupt();
        reader.interrupt();
        writer.join(JOIN_MILLIS);
        reader.join(JOIN_MILLIS);
    }
}

package io.coordinator.jepsen.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed loop: {@code outstanding} requests in flight, each answer (or failure) sending the next
 * one on a random key, until the run's time is up. Only successful requests are timed.
 */
final class LoadLoop {
    /** How long requests may still be in flight after the run ended before the run is declared stuck. */
    private static final long DRAIN_SECONDS_MAX = 60;

    /** What one run did. */
    record Outcome(double elapsedSeconds, long failures, Throwable firstFailure) {
    }

    private final BenchTarget target;
    private final List<String> keys;
    private final byte[] value;
    /** Where the next request goes when an answer came back on the issuing thread itself. */
    private final Executor trampoline = ForkJoinPool.commonPool();

    LoadLoop(BenchTarget target, List<String> keys, byte[] value) {
        this.target = target;
        this.keys = List.copyOf(keys);
        this.value = value;
    }

    /** Runs for {@code seconds}; {@code recorder} may be null (a warm-up). */
    Outcome run(Op op, int outstanding, int seconds, LatencyRecorder recorder) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(outstanding);
        AtomicLong failures = new AtomicLong();
        CompletableFuture<Throwable> firstFailure = new CompletableFuture<>();
        Loop loop = new Loop(op, end, recorder, done, failures, firstFailure);
        for (int i = 0; i < outstanding; i++) {
            loop.issue();
        }
        if (!done.await(seconds + DRAIN_SECONDS_MAX, TimeUnit.SECONDS)) {
            throw new IllegalStateException(op.label + " requests still outstanding " + DRAIN_SECONDS_MAX
                    + " s after the run ended");
        }
        return new Outcome((System.nanoTime() - start) / 1e9, failures.get(), firstFailure.getNow(null));
    }

    private final class Loop {
        private final Op op;
        private final long endNanos;
        private final LatencyRecorder recorder;
        private final CountDownLatch done;
        private final AtomicLong failures;
        private final CompletableFuture<Throwable> firstFailure;

        Loop(Op op, long endNanos, LatencyRecorder recorder, CountDownLatch done, AtomicLong failures,
             CompletableFuture<Throwable> firstFailure) {
            this.op = op;
            this.endNanos = endNanos;
            this.recorder = recorder;
            this.done = done;
            this.failures = failures;
            this.firstFailure = firstFailure;
        }

        void issue() {
            long sent = System.nanoTime();
            if (sent >= endNanos) {
                done.countDown();
                return;
            }
            String key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
            CompletableFuture<?> call;
            try {
                call = target.call(op, key, value);
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            // An answer already there would run the next issue() on this stack, and so on without
            // bound when a client fails fast; hand it to another thread instead.
            boolean answered = call.isDone();
            call.whenComplete((result, failure) -> {
                if (failure != null) {
                    failures.incrementAndGet();
                    firstFailure.complete(failure);
                } else if (recorder != null) {
                    recorder.record(System.nanoTime() - sent);
                }
                if (answered) {
                    trampoline.execute(this::issue);
                } else {
                    issue();
                }
            });
        }
    }
}

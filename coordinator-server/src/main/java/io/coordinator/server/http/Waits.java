package io.coordinator.server.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Bounded, non-blocking waits for member state that has no completion signal of its own. */
final class Waits {
    static final long POLL_INTERVAL_MILLIS = 10;

    private Waits() {
    }

    /** Completes with true as soon as {@code condition} holds, or with false once {@code timeoutMillis} have passed. */
    static CompletableFuture<Boolean> until(ScheduledExecutorService timer, BooleanSupplier condition, long timeoutMillis) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        poll(timer, condition, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), result);
        return result;
    }

    private static void poll(ScheduledExecutorService timer, BooleanSupplier condition, long deadlineNanos,
                             CompletableFuture<Boolean> result) {
        try {
            if (condition.getAsBoolean()) {
                result.complete(true);
            } else if (System.nanoTime() - deadlineNanos >= 0) {
                result.complete(false);
            } else {
                timer.schedule(() -> poll(timer, condition, deadlineNanos, result), POLL_INTERVAL_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            // also a rejected schedule: the connection's event loop is shutting down
            result.completeExceptionally(e);
        }
    }
}

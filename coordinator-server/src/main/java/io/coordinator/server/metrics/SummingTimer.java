package io.coordinator.server.metrics;

import com.codahale.metrics.Timer;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A Dropwizard timer that also keeps the total of every duration, which a Prometheus summary needs
 * as {@code _sum} (so that {@code rate(x_sum)/rate(x_count)} gives a mean over any window).
 * Dropwizard's own timer only keeps a decaying sample. Every way in funnels into
 * {@link #update(long, TimeUnit)}.
 */
public final class SummingTimer extends Timer {
    private final LongAdder sumNanos = new LongAdder();

    @Override
    public void update(long duration, TimeUnit unit) {
        long nanos = unit.toNanos(duration);
        if (nanos >= 0) {
            sumNanos.add(nanos);
        }
        super.update(duration, unit);
    }

    @Override
    public void update(Duration duration) {
        update(duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> T time(Callable<T> event) throws Exception {
        long start = System.nanoTime();
        try {
            return event.call();
        } finally {
            update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public <T> T timeSupplier(Supplier<T> event) {
        long start = System.nanoTime();
        try {
            return event.get();
        } finally {
            update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void time(Runnable event) {
        long start = System.nanoTime();
        try {
            event.run();
        } finally {
            update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    public long sumNanos() {
        return sumNanos.sum();
    }
}

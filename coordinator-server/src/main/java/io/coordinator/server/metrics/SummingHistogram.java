package io.coordinator.server.metrics;

import com.codahale.metrics.ExponentiallyDecayingReservoir;
import com.codahale.metrics.Histogram;

import java.util.concurrent.atomic.LongAdder;

/** A Dropwizard histogram that also keeps the total of its values (the summary's {@code _sum}). */
public final class SummingHistogram extends Histogram {
    private final LongAdder sum = new LongAdder();

    public SummingHistogram() {
        super(new ExponentiallyDecayingReservoir());
    }

    @Override
    public void update(int value) {
        update((long) value);
    }

    @Override
    public void update(long value) {
        sum.add(value);
        super.update(value);
    }

    public long sum() {
        return sum.sum();
    }
}

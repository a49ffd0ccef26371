package io.coordinator.server.metrics;

import com.codahale.metrics.Metric;

import java.util.function.DoubleSupplier;

/**
 * A counter whose value is read from somewhere else (a JVM bean, say) and may be fractional, such
 * as seconds spent in GC. Exposed as a Prometheus counter; Dropwizard's {@code Counter} only holds
 * whole numbers it increments itself.
 */
public final class MonotonicValue implements Metric {
    private final DoubleSupplier value;

    public MonotonicValue(DoubleSupplier value) {
        this.value = value;
    }

    public double value() {
        return value.getAsDouble();
    }
}

package io.coordinator.server.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.function.Function;

/**
 * The handful of JVM figures an operator looks at first (heap, threads, GC, start time), read from
 * the platform MX beans at scrape time. Hand-written instead of Dropwizard's metrics-jvm: a few
 * lines, no dependency, and Prometheus-style names.
 */
final class JvmMetrics {
    private JvmMetrics() {
    }

    static void register(MemberMetrics metrics) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory("heap", memory::getHeapMemoryUsage, metrics);
        memory("nonheap", memory::getNonHeapMemoryUsage, metrics);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        metrics.gauge("jvm_threads_current", "Live threads of the JVM (all members of this process)",
                threads::getThreadCount);
        metrics.gauge("jvm_threads_daemon", "Live daemon threads of the JVM", threads::getDaemonThreadCount);

        metrics.describe("jvm_gc_collections_total", "Garbage collections, by collector");
        metrics.describe("jvm_gc_collection_seconds_total", "Time spent in garbage collection, by collector");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            metrics.monotonic(MetricName.of("jvm_gc_collections_total", "gc", gc.getName()),
                    () -> Math.max(0, gc.getCollectionCount()));
            metrics.monotonic(MetricName.of("jvm_gc_collection_seconds_total", "gc", gc.getName()),
                    () -> Math.max(0, gc.getCollectionTime()) / 1000.0);
        }
        long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        metrics.gauge("process_start_time_seconds", "When the JVM started, in seconds since the epoch",
                () -> startMillis / 1000.0);
    }

    private static void memory(String area, java.util.function.Supplier<MemoryUsage> usage, MemberMetrics metrics) {
        gauge(metrics, "jvm_memory_used_bytes", "Memory in use, by area", area, usage, MemoryUsage::getUsed);
        gauge(metrics, "jvm_memory_committed_bytes", "Memory committed by the OS, by area", area, usage,
                MemoryUsage::getCommitted);
        gauge(metrics, "jvm_memory_max_bytes", "Largest memory the area may grow to (-1: unbounded)", area, usage,
                MemoryUsage::getMax);
    }

    private static void gauge(MemberMetrics metrics, String family, String help, String area,
                              java.util.function.Supplier<MemoryUsage> usage, Function<MemoryUsage, Long> field) {
        metrics.describe(family, help);
        metrics.registry().gauge(MetricName.of(family, "area", area), () -> () -> field.apply(usage.get()));
    }
}

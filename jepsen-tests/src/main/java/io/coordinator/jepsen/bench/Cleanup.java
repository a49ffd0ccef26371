package io.coordinator.jepsen.bench;

import io.coordinator.jepsen.cluster.ProcessCluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What one system's run leaves behind (processes, clients, temporary directories), undone in
 * reverse order on {@link #close} or, if the JVM exits first (Ctrl-C), from a shutdown hook. After
 * either, anything added is undone at once.
 */
final class Cleanup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cleanup.class);

    private final Deque<AutoCloseable> steps = new ArrayDeque<>();
    private final Thread exitHook = new Thread(this::undoAll, "bench-cleanup");
    private boolean done;

    /** Throws IllegalStateException if the JVM is already exiting. */
    Cleanup() {
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    <T extends AutoCloseable> T add(T resource) {
        synchronized (this) {
            if (!done) {
                steps.push(resource);
                return resource;
            }
        }
        undo(resource);
        throw new IllegalStateException("exiting: undid a resource added after cleanup");
    }

    /** Deletes {@code dir} and everything in it, after everything added later is undone. */
    Path deleteLater(Path dir) {
        add(() -> ProcessCluster.deleteRecursively(dir));
        return dir;
    }

    private synchronized void undoAll() {
        done = true;
        while (!steps.isEmpty()) {
            undo(steps.pop());
        }
    }

    private static void undo(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("cleanup step failed", e);
        }
    }

    @Override
    public void close() {
        undoAll();
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException alreadyExiting) {
            // the hook itself is running or has run
        }
    }
}

package io.coordinator.jepsen.harness;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/**
 * A workload's client threads and the flag their loops run on: started together, stopped after their
 * current call ({@link #stop}), or cut short ({@link #close}). Daemon threads, so that a stuck call never
 * keeps the harness's JVM alive.
 */
final class ClientThreads {
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean running;

    /** Starts {@code count} threads {@code name + i}, each running {@code loop.accept(i)}. */
    void start(String name, int count, IntConsumer loop) {
        running = true;
        for (int i = 0; i < count; i++) {
            int client = i;
            spawn(name + i, () -> loop.accept(client));
        }
    }

    /** Starts one more thread; the loops are running from now on. */
    void spawn(String name, Runnable body) {
        running = true;
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    /** What a loop checks before each call. */
    boolean running() {
        return running;
    }

    /** Lets each loop finish its current call, bounded; fails if one does not stop in time. */
    void stop() throws InterruptedException {
        running = false;
        Clients.join(threads);
    }

    /** Stops the loops and interrupts whatever they wait on. */
    void close() {
        running = false;
        threads.forEach(Thread::interrupt);
    }
}

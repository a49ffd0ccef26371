package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.client.watch.Watched;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for one node to appear or to go, with an exists watch set up by the same read that checks
 * it (so a change in between is seen by the watch's own answer). The awaited event itself ends the
 * wait, so a node removed and at once recreated still counts as removed. Wakes every
 * {@value #CHECK_MILLIS} ms to run the caller's liveness check.
 */
final class NodeWait {
    static final long CHECK_MILLIS = 200;

    private NodeWait() {
    }

    /** {@link System#nanoTime()} {@code timeout} from now, or {@link Long#MAX_VALUE} for ever. */
    static long deadline(Duration timeout) {
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        return nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    }

    /**
     * @param present    true: wait until the node exists; false: until it does not
     * @param check      run at every wake-up; throws to stop waiting
     * @return false on reaching the deadline
     */
    static boolean await(Coordinator client, String path, boolean present, long deadlineNanos, Runnable check)
            throws InterruptedException {
        while (true) {
            check.run();
            // true: the awaited change itself was seen (done, even if undone since); false: look again
            CompletableFuture<Boolean> changed = new CompletableFuture<>();
            WatchEvent.Type awaited = present ? WatchEvent.Type.CREATED : WatchEvent.Type.DELETED;
            WatchListener wake = new WatchListener() {
                @Override
                public void onEvents(WatchEvents events) {
                    changed.complete(events.events().stream().anyMatch(e -> e.type() == awaited));
                }

                @Override
                public void onError(CoordinatorException error) {
                    changed.complete(false); // read and watch again
                }
            };
            Watched<Optional<Stat>> watched = client.existsAndWatch(path, wake);
            try {
                if (watched.result().isPresent() == present) {
                    return true;
                }
                while (true) {
                    if (changed.isDone()) {
                        if (changed.join()) {
                            return true;
                        }
                        break;
                    }
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        changed.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS)), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        check.run();
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("never completed exceptionally", e);
                    }
                }
            } finally {
                watched.watch().close();
            }
        }
    }
}

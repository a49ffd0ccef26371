package io.coordinator.client.cli;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchCompactedException;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.WatchKind;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.cli.Ctl.EXIT_OK;
import static io.coordinator.client.cli.Ctl.EXIT_UNKNOWN_OUTCOME;
import static io.coordinator.client.cli.Ctl.exitCode;

/** {@code ctl watch}: follows a path (or subtree) and prints its events as they come. */
@CommandLine.Command(name = "watch", description = {
        "Print the changes to PATH as they come: one line per event, 'REVISION TYPE PATH [DATA]',",
        "or one JSON document per event with --json. Ends after --count events, after --timeout-ms,",
        "when a one-shot kind fired, or on Ctrl-C. Exits 7 if --count events did not come in time,",
        "4 (COMPACTED) if --from-revision is older than the member's history.",
        "Example: ctl watch /app --recursive --from-revision 120 --count 10 --timeout-ms 5000"})
final class WatchCommand extends Ctl.Sub {
    private static final Object STOP = new Object();

    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Option(names = {"-r", "--recursive"}, description = "Watch the whole subtree (a persistent recursive watch).")
    boolean recursive;

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "persistent",
            description = "data, exists or children (one-shot, ZooKeeper-style), or persistent (default).")
    String kindName;

    @Option(names = "--from-revision", paramLabel = "R", defaultValue = "0",
            description = "Start at revision R, replaying what came since (default: from now).")
    long fromRevision;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Stop after N events (default: no limit).")
    long count;

    @Option(names = "--timeout-ms", paramLabel = "T", defaultValue = "0",
            description = "Stop after T ms (default: run until Ctrl-C). The global --timeout-ms bounds starting the watch.")
    long watchTimeoutMillis;

    private WatchKind kind;

    @Override
    void prepare() {
        kind = switch (kindName.toLowerCase(Locale.ROOT)) {
            case "data" -> WatchKind.DATA;
            case "exists" -> WatchKind.EXISTS;
            case "children" -> WatchKind.CHILDREN;
            case "persistent" -> WatchKind.PERSISTENT;
            default -> throw new IllegalArgumentException("--kind must be data, exists, children or persistent");
        };
        if (recursive) {
            if (kind != WatchKind.PERSISTENT) {
                throw new IllegalArgumentException("--recursive is a persistent watch; it takes no other --kind");
            }
            kind = WatchKind.PERSISTENT_RECURSIVE;
        }
        if (fromRevision < 0 || count < 0 || watchTimeoutMillis < 0) {
            throw new IllegalArgumentException("--from-revision, --count and --timeout-ms must not be negative");
        }
    }

    @Override
    int run(Coordinator client) {
        BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C: stop following and let the output be flushed before the JVM goes (bounded).
        Thread onCtrlC = new Thread(() -> {
            arrived.add(STOP);
            try {
                stopped.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ctl-watch-stop");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try (Watch watch = client.watch(path, kind, fromRevision, new WatchListener() {
            @Override
            public void onEvents(WatchEvents events) {
                arrived.add(events);
            }

            @Override
            public void onError(CoordinatorException error) {
                arrived.add(error);
            }
        })) {
            if (!ctl.json) {
                err().println("watching " + path + " (" + kind + ") from revision " + watch.fromRevision());
                err().flush();
            }
            return follow(watch, arrived);
        } catch (WatchCompactedException e) {
            return failed(e);
        } finally {
            out().flush();
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException e) {
                // shutting down (Ctrl-C): the hook is running
            }
        }
    }

    private int follow(Watch watch, BlockingQueue<Object> arrived) {
        long deadline = watchTimeoutMillis == 0 ? Long.MAX_VALUE : System.nanoTime() + watchTimeoutMillis * 1_000_000;
        long printed = 0;
        while (true) {
            Object next;
            try {
                long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                next = left <= 0 ? null : arrived.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return EXIT_OK;
            }
            if (next == null) {
                if (count > 0 && printed < count) {
                    return error(ErrorCode.TIMEOUT.name(), printed + " of " + count + " events within "
                            + watchTimeoutMillis + " ms", EXIT_UNKNOWN_OUTCOME);
                }
                return EXIT_OK;
            }
            if (next == STOP) {
                return EXIT_OK;
            }
            if (next instanceof CoordinatorException e) {
                return failed(e);
            }
            WatchEvents events = (WatchEvents) next;
            for (WatchEvent event : events.events()) {
                print(event);
                printed++;
                if (count > 0 && printed >= count) {
                    return EXIT_OK;
                }
            }
            out().flush();
            if (!watch.isActive() && arrived.isEmpty()) {
                return EXIT_OK; // a one-shot that fired
            }
        }
    }

    private int failed(CoordinatorException e) {
        String detail = e instanceof WatchCompactedException c
                ? e.detail() + " (oldest revision available: " + c.oldestRevision() + ")" : e.detail();
        return error(e.code().name(), detail, exitCode(e.code()));
    }

    private void print(WatchEvent event) {
        String data = new String(event.data(), StandardCharsets.UTF_8);
        if (ctl.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("revision", event.revision());
            doc.put("type", event.type().name());
            doc.put("path", event.path());
            doc.put("data", data);
            doc.put("stat", event.stat());
            json(doc);
        } else {
            out().println(event.revision() + " " + event.type() + " " + event.path() + (data.isEmpty() ? "" : " " + data));
        }
    }
}

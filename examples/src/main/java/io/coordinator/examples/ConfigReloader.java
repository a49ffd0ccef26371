package io.coordinator.examples;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.recipes.CachedNode;
import io.coordinator.client.recipes.TreeCache;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * A service that keeps its configuration in Coordinator and reloads it when it changes. A
 * {@link TreeCache} holds the subtree (default {@code /app/config}) in memory: loaded atomically at
 * one revision, then kept current by a watch, so every configuration the service sees is one the
 * subtree really had at some revision, and changes arrive in revision order. Keys are the paths
 * below the root ({@code db}, {@code db/pool}), values their data as UTF-8. If the watch falls too
 * far behind (the members no longer keep the events it missed, after a long cut), the cache loads
 * the subtree again and the service hears the difference as one reload, marked "after a rebuild".
 *
 * <pre>
 * bin/example ConfigReloader --root /app/config       # then: bin/coordinator ctl set /app/config/db replica
 * </pre>
 */
public final class ConfigReloader implements AutoCloseable {
    /** The configuration as of one revision. */
    public record Config(long revision, SortedMap<String, String> values) {
    }

    private final Coordinator client;
    private final TreeCache cache;
    private final PrintStream out;
    private final CountDownLatch closed = new CountDownLatch(1);
    private Config current;

    public static void main(String[] argv) throws InterruptedException {
        ConfigReloader service;
        try {
            service = start(argv, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        service.closed.await();
    }

    /** The whole program: what {@link #main} runs, printing to {@code out}, until closed. */
    public static ConfigReloader start(String[] argv, PrintStream out) {
        Args args = Args.parse(argv, "--root");
        // A cache needs no session: nothing here is owned, only read and watched.
        Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(args.endpoints()).openSession(false).build());
        try {
            return new ConfigReloader(client, args.get("--root", "/app/config"), out);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private ConfigReloader(Coordinator client, String root, PrintStream out) {
        this.client = client;
        this.out = out;
        this.cache = TreeCache.start(client, root);
        // The listener first, then the first read: a change in between is heard by one or the
        // other (or both; reload() keeps only what is newer), never by neither.
        cache.addListener(change -> reload(read(), change.rebuilt()));
        reload(read(), false);
    }

    /** The configuration the service runs with now. */
    public synchronized Config current() {
        return current;
    }

    /** The cache at one revision, as configuration. */
    private Config read() {
        TreeCache.TreeSnapshot snapshot = cache.snapshot();
        SortedMap<String, String> values = new TreeMap<>();
        String prefix = cache.root() + "/";
        for (CachedNode node : snapshot.nodes().values()) {
            if (node.path().startsWith(prefix)) {
                values.put(node.path().substring(prefix.length()), new String(node.data(), StandardCharsets.UTF_8));
            }
        }
        return new Config(snapshot.revision(), values);
    }

    /** Applies a newer configuration; this is where a real service would reconnect to a new database. */
    private synchronized void reload(Config next, boolean rebuilt) {
        if (current != null && next.revision() <= current.revision()) {
            return;
        }
        Config before = current;
        current = next;
        if (before == null) {
            out.printf("loaded %s at revision %d: %s%n", cache.root(), next.revision(), next.values());
        } else if (!before.values().equals(next.values())) {
            out.printf("reloaded at revision %d%s: %s (%s)%n", next.revision(), rebuilt ? " after a rebuild" : "",
                    next.values(), difference(before.values(), next.values()));
        }
    }

    private static String difference(SortedMap<String, String> before, SortedMap<String, String> after) {
        List<String> changes = new ArrayList<>();
        after.forEach((key, value) -> {
            if (!before.containsKey(key)) {
                changes.add("added " + key);
            } else if (!before.get(key).equals(value)) {
                changes.add("changed " + key);
            }
        });
        before.keySet().stream().filter(key -> !after.containsKey(key)).forEach(key -> changes.add("removed " + key));
        return String.join(", ", changes);
    }

    @Override
    public void close() {
        cache.close();
        client.close();
        closed.countDown();
    }
}

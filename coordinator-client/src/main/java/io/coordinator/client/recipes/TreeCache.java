package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Ops;
import io.coordinator.client.TxnResult;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.WatchKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A local copy of a subtree (data and stats), kept up to date by a watch: read configuration from
 * memory, and hear each change.
 *
 * <pre>{@code
 * TreeCache config = TreeCache.start(client, "/app/config");
 * config.addListener(change -> reload(change.nodes()));        // after each change, in revision order
 * Optional<CachedNode> db = config.get("/app/config/db");
 * config.close();
 * }</pre>
 *
 * <h2>Why the copy is consistent</h2>
 * <ul>
 * <li>The load is one transaction: a read of every node of the subtree (and the children of each
 *     inner node) at one revision R, after a first walk that finds the paths. If the walk and the
 *     transaction disagree (a node came or went in between) it walks again, so the loaded copy is the
 *     subtree exactly as of R, never a mix of two moments. Bounded by {@code limits.txn-ops-max}
 *     (128 by default): a node costs one read, an inner node one more; a larger subtree fails with
 *     TOO_LARGE. That suits configuration; it is not a cache for big trees.</li>
 * <li>Then a PERSISTENT_RECURSIVE watch starts at R + 1. The members' watch guarantees (per watch,
 *     every event in revision order, no gap, no duplicate, carried across moves to other members)
 *     mean that after the events of revision r are applied, the copy is the subtree as of r.
 *     {@link #revision()} is that r, and a {@link #snapshot()} is the copy at one revision.</li>
 * <li>When the watch cannot go on (COMPACTED: the member no longer has the events after the last
 *     one applied, e.g. after a long cut), the cache loads again and watches from the new load. The
 *     listener then hears one change with {@code rebuilt() == true}: the difference between the old
 *     copy and the new one, as of the new revision. Nothing is silently skipped: a change in between
 *     is either in that difference or was undone by a later one.</li>
 * </ul>
 *
 * <h2>Sessions</h2>
 * The cache needs no session (a client with {@code openSession(false)} will do). SUSPENDED: the copy
 * stays as it was, possibly behind; the watch moves with the client and resumes from the revision
 * after the last applied, so RECONNECTED (or a move to another member) brings every missed change
 * in order. LOST changes nothing for a cache. While SUSPENDED the copy may be stale: a reader that
 * must not act on stale configuration checks {@code client.state()}, or {@link #revision()} against
 * a revision it knows of.
 *
 * <p>Thread-safe; listeners run one at a time, on the client's callback thread or (for a rebuild) a
 * thread of the cache's.
 */
public final class TreeCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TreeCache.class);
    private static final int LOAD_ATTEMPTS_MAX = 20;
    private static final long RETRY_MILLIS = 1_000;
    /** The walk gives up well before this; the load's own bound (txn-ops-max) is far lower. */
    private static final int MAX_WALK = 10_000;
    private static final int START_ATTEMPTS_MAX = 5;

    /** What changed in one step: the nodes as they are now (absent: deleted), at {@code revision}. */
    public record TreeChange(long revision, SortedMap<String, Optional<CachedNode>> nodes, boolean rebuilt) {
        public TreeChange {
            nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
        }
    }

    /** Hears each change of the cache, in revision order, one at a time, after the cache has it. */
    @FunctionalInterface
    public interface TreeCacheListener {
        void changed(TreeChange change);
    }

    /** The whole copy at one revision. */
    public record TreeSnapshot(SortedMap<String, CachedNode> nodes, long revision) {
        public TreeSnapshot {
            nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
        }
    }

    private final Coordinator client;
    private final String root;
    private final List<TreeCacheListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private final TreeMap<String, CachedNode> nodes = new TreeMap<>();
    private long revision;
    private Watch watch;
    private boolean closed;
    private boolean watchedOnce;
    private long rebuilds;

    private TreeCache(Coordinator client, String root) {
        this.client = client;
        this.root = root;
    }

    /**
     * Loads the subtree at {@code root} (which need not exist yet) and follows it.
     *
     * @throws CoordinatorException TOO_LARGE for a subtree past the bound; UNAVAILABLE if it kept
     *                              changing under the load, or the cluster is unreachable
     */
    public static TreeCache start(Coordinator client, String root) {
        TreeCache cache = new TreeCache(Objects.requireNonNull(client, "client"), Objects.requireNonNull(root, "root"));
        for (int attempt = 1; ; attempt++) {
            try {
                cache.rebuild();
                return cache;
            } catch (CoordinatorException e) {
                // COMPACTED: more changes between the load and the watch than the member keeps; load again.
                if (e.code() != ErrorCode.COMPACTED || attempt >= START_ATTEMPTS_MAX) {
                    cache.close();
                    throw e;
                }
            }
        }
    }

    public String root() {
        return root;
    }

    /** The revision the copy reflects: every change up to it is in, none after. */
    public long revision() {
        synchronized (lock) {
            return revision;
        }
    }

    /** How many times the copy was loaded again after its watch failed (0 after a clean start). */
    public long rebuilds() {
        synchronized (lock) {
            return rebuilds;
        }
    }

    public Optional<CachedNode> get(String path) {
        synchronized (lock) {
            return Optional.ofNullable(nodes.get(path));
        }
    }

    /** The names of the node's children in the copy, sorted; empty when it has none or is absent. */
    public List<String> children(String path) {
        String prefix = path.equals("/") ? "/" : path + "/";
        List<String> names = new ArrayList<>();
        synchronized (lock) {
            for (String p : nodes.tailMap(prefix, false).keySet()) {
                if (!p.startsWith(prefix)) {
                    break;
                }
                if (p.indexOf('/', prefix.length()) < 0) {
                    names.add(p.substring(prefix.length()));
                }
            }
        }
        return names;
    }

    /** The whole copy at {@link #revision()}. */
    public TreeSnapshot snapshot() {
        synchronized (lock) {
            return new TreeSnapshot(nodes, revision);
        }
    }

    /** Waits until the copy reflects {@code atLeast} (e.g. the revision of one's own write). */
    public boolean awaitRevision(long atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (revision < atLeast) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    public void addListener(TreeCacheListener listener) {
        listeners.add(listener);
    }

    public void removeListener(TreeCacheListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        Watch w;
        synchronized (lock) {
            closed = true;
            w = watch;
            watch = null;
            lock.notifyAll();
        }
        if (w != null) {
            w.close();
        }
    }

    /** Loads the subtree atomically, replaces the copy (telling listeners the difference), and watches from there. */
    private void rebuild() {
        Loaded loaded = load();
        Watch old;
        TreeChange change;
        synchronized (lock) {
            if (closed) {
                return;
            }
            old = watch;
            boolean first = !watchedOnce;
            change = first ? null : diff(nodes, loaded.nodes(), loaded.revision());
            // The watch first: if it fails (COMPACTED already), the copy is left as it was.
            watch = client.watch(root, WatchKind.PERSISTENT_RECURSIVE, loaded.revision() + 1, new WatchListener() {
                @Override
                public void onEvents(WatchEvents events) {
                    apply(events);
                }

                @Override
                public void onError(CoordinatorException error) {
                    log.info("cache of {}: watch ended at revision {} ({}); loading again", root, revision(), error.toString());
                    rebuildLater(0);
                }
            });
            watchedOnce = true;
            if (!first) {
                rebuilds++;
            }
            nodes.clear();
            nodes.putAll(loaded.nodes());
            revision = loaded.revision();
            lock.notifyAll();
            if (change != null && !change.nodes().isEmpty()) {
                notifyListeners(change);
            }
        }
        if (old != null) {
            old.close();
        }
    }

    private void rebuildLater(long delayMillis) {
        CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS).execute(() -> {
            try {
                rebuild();
            } catch (CoordinatorException e) {
                log.warn("cache of {}: could not load again, retrying in {} ms: {}", root, RETRY_MILLIS, e.toString());
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                }
                rebuildLater(RETRY_MILLIS);
            }
        });
    }

    private void apply(WatchEvents events) {
        synchronized (lock) {
            if (closed || events.revision() <= revision) {
                return; // a late delivery from a watch already replaced
            }
            TreeMap<String, Optional<CachedNode>> changed = new TreeMap<>();
            for (WatchEvent event : events.events()) {
                String path = event.path();
                switch (event.type()) {
                    case CREATED, DATA_CHANGED -> {
                        CachedNode node = new CachedNode(path, event.data(), event.stat());
                        nodes.put(path, node);
                        changed.put(path, Optional.of(node));
                    }
                    case CHILDREN_CHANGED -> {
                        // Only the stat changed (numChildren, cversion); the children come with their own events.
                        CachedNode before = nodes.get(path);
                        if (before != null) {
                            CachedNode node = new CachedNode(path, before.data(), event.stat());
                            nodes.put(path, node);
                            changed.put(path, Optional.of(node));
                        }
                    }
                    case DELETED -> {
                        if (nodes.remove(path) != null) {
                            changed.put(path, Optional.empty());
                        }
                    }
                }
            }
            revision = events.revision();
            lock.notifyAll();
            notifyListeners(new TreeChange(revision, changed, false));
        }
    }

    private void notifyListeners(TreeChange change) {
        for (TreeCacheListener listener : listeners) {
            try {
                listener.changed(change);
            } catch (RuntimeException e) {
                log.warn("cache of {}: a listener failed at revision {}", root, change.revision(), e);
            }
        }
    }

    private static TreeChange diff(Map<String, CachedNode> before, Map<String, CachedNode> after, long revision) {
        TreeMap<String, Optional<CachedNode>> changed = new TreeMap<>();
        for (Map.Entry<String, CachedNode> e : after.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                changed.put(e.getKey(), Optional.of(e.getValue()));
            }
        }
        for (String path : before.keySet()) {
            if (!after.containsKey(path)) {
                changed.put(path, Optional.empty());
            }
        }
        return new TreeChange(revision, changed, true);
    }

    private record Loaded(NavigableMap<String, CachedNode> nodes, long revision) {
    }

    /** The subtree at one revision: see the class comment. */
    private Loaded load() {
        for (int attempt = 0; attempt < LOAD_ATTEMPTS_MAX; attempt++) {
            SortedMap<String, List<String>> shape = walk();
            List<String> paths = new ArrayList<>(shape.keySet());
            List<String> inner = paths.stream().filter(p -> !shape.get(p).isEmpty()).toList();
            List<Op> reads = new ArrayList<>();
            for (String p : paths) {
                reads.add(Ops.get(p));
            }
            for (String p : inner) {
                reads.add(Ops.children(p, false));
            }
            TxnResult result;
            try {
                if (paths.isEmpty()) {
                    result = client.txn().compare(Compare.exists(root, false)).then(Ops.exists(root)).commit();
                    if (result.succeeded()) {
                        return new Loaded(new TreeMap<>(), result.revision());
                    }
                    continue; // it appeared meanwhile
                }
                result = client.txn().then(reads.toArray(Op[]::new)).commit();
            } catch (CoordinatorException.NoNodeException e) {
                continue; // a node went between the walk and the read
            }
            TreeMap<String, CachedNode> loaded = new TreeMap<>();
            boolean same = true;
            for (int i = 0; i < paths.size() && same; i++) {
                Response.Data data = result.result(i, Response.Data.class);
                loaded.put(paths.get(i), new CachedNode(paths.get(i), data.data(), data.stat()));
                same = (data.stat().numChildren() > 0) == !shape.get(paths.get(i)).isEmpty();
            }
            for (int i = 0; i < inner.size() && same; i++) {
                List<String> names = result.result(paths.size() + i, Response.ChildrenResult.class).names();
                same = names.equals(shape.get(inner.get(i)));
            }
            if (same) {
                return new Loaded(loaded, result.revision());
            }
        }
        throw new CoordinatorException(ErrorCode.UNAVAILABLE, "the subtree " + root + " changed under each of "
                + LOAD_ATTEMPTS_MAX + " loads");
    }

    /** Finds the subtree's paths and each one's children (not atomic: the load checks it). */
    private SortedMap<String, List<String>> walk() {
        TreeMap<String, List<String>> shape = new TreeMap<>();
        List<String> pending = new ArrayList<>(List.of(root));
        while (!pending.isEmpty()) {
            String path = pending.remove(pending.size() - 1);
            List<String> names;
            try {
                names = client.children(path).names();
            } catch (CoordinatorException.NoNodeException e) {
                continue; // gone (or the root does not exist yet)
            }
            shape.put(path, names);
            for (String name : names) {
                pending.add(path.equals("/") ? "/" + name : path + "/" + name);
            }
            if (shape.size() > MAX_WALK) {
                throw new CoordinatorException(ErrorCode.TOO_LARGE, "the subtree " + root + " has over " + MAX_WALK
                        + " nodes: too large for one atomic load");
            }
        }
        return shape;
    }
}

package io.coordinator.client.recipes;

import io.coordinator.client.ChildrenResult;
import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.GetResult;
import io.coordinator.client.support.CuttableProxy;
import io.coordinator.client.support.IsolatedCluster;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TreeCache} on three real members in this JVM that keep only {@value #HISTORY} events of watch
 * history, so that a cache cut off for longer than that has to load again. Each test has a subtree
 * of its own.
 */
class TreeCacheTest {
    static final int HISTORY = 30;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static IsolatedCluster cluster;
    private static Coordinator admin;
    private static final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = IsolatedCluster.start(3, Map.of("limits.watch-history-events-max", Integer.toString(HISTORY)));
        admin = client(cluster.endpoints());
        await().atMost(WAIT).ignoreExceptions().until(() -> admin.exists("/").isPresent());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Coordinator client(String endpoints) {
        Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(endpoints).shuffleEndpoints(false)
                .requestTimeoutMillis(15_000).attemptTimeoutMillis(5_000).build());
        closing.add(0, client);
        return client;
    }

    private static <T extends AutoCloseable> T keep(T resource) {
        closing.add(0, resource);
        return resource;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The subtree read node by node, linearizably; only meaningful while nobody writes to it. */
    private static SortedMap<String, CachedNode> read(String root) {
        TreeMap<String, CachedNode> nodes = new TreeMap<>();
        List<String> pending = new ArrayList<>(List.of(root));
        while (!pending.isEmpty()) {
            String path = pending.remove(0);
            GetResult got;
            ChildrenResult children;
            try {
                got = admin.get(path);
                children = admin.children(path);
            } catch (CoordinatorException.NoNodeException e) {
                continue;
            }
            nodes.put(path, new CachedNode(path, got.data(), got.stat()));
            children.names().forEach(name -> pending.add(path + "/" + name));
        }
        return nodes;
    }

    /** Replays the changes a listener heard onto a starting copy. */
    private static SortedMap<String, CachedNode> replay(SortedMap<String, CachedNode> start, List<TreeCache.TreeChange> changes) {
        TreeMap<String, CachedNode> nodes = new TreeMap<>(start);
        for (TreeCache.TreeChange change : changes) {
            change.nodes().forEach((path, node) -> {
                if (node.isPresent()) {
                    nodes.put(path, node.get());
                } else {
                    nodes.remove(path);
                }
            });
        }
        return nodes;
    }

    private static void assertInRevisionOrder(List<TreeCache.TreeChange> changes) {
        for (int i = 1; i < changes.size(); i++) {
            assertTrue(changes.get(i).revision() > changes.get(i - 1).revision(), "out of order: " + changes);
        }
    }

    private static long write(int i, String root) {
        String path = root + "/k" + (i % 7);
        Optional<Stat> stat = admin.exists(path);
        if (i % 5 == 4 && stat.isPresent()) {
            admin.delete(path, -1);
        } else if (stat.isPresent()) {
            admin.set(path, utf8("v" + i), -1);
        } else {
            admin.create(path, utf8("v" + i), CreateMode.PERSISTENT);
        }
        return admin.get("/").revision();
    }

    @Test
    void theCacheEqualsALinearizableReadAtItsRevisionAfterEveryKindOfChange() throws Exception {
        String root = "/cache/app";
        admin.create("/cache", new byte[0], CreateMode.PERSISTENT);
        admin.create(root, utf8("app"), CreateMode.PERSISTENT);
        admin.create(root + "/db", utf8("primary"), CreateMode.PERSISTENT);
        admin.create(root + "/db/pool", utf8("10"), CreateMode.PERSISTENT);

        TreeCache cache = keep(TreeCache.start(client(cluster.endpoints()), root));
        TreeCache.TreeSnapshot first = cache.snapshot();
        assertEquals(read(root), first.nodes());
        assertEquals(List.of("db"), cache.children(root));
        List<TreeCache.TreeChange> heard = new CopyOnWriteArrayList<>();
        cache.addListener(heard::add);
        // Changes after the snapshot and before the listener are in both or neither: take a new base.
        TreeCache.TreeSnapshot base = cache.snapshot();

        admin.set(root + "/db", utf8("replica"), -1);
        admin.create(root + "/flags", utf8(""), CreateMode.PERSISTENT);
        admin.create(root + "/flags/beta", utf8("on"), CreateMode.PERSISTENT);
        admin.create(root + "/flags/seq-", utf8("s"), CreateMode.PERSISTENT_SEQUENTIAL);
        admin.create(root + "/session-bound", utf8("e"), CreateMode.EPHEMERAL);
        admin.delete(root + "/db", -1, true);
        admin.create(root + "/db", utf8("again"), CreateMode.PERSISTENT);
        long last = 0;
        for (int i = 0; i < 20; i++) {
            last = write(i, root);
        }
        assertTrue(cache.awaitRevision(last, WAIT));
        TreeCache.TreeSnapshot now = cache.snapshot();
        SortedMap<String, CachedNode> truth = read(root);
        assertEquals(truth, now.nodes(), "the cache at revision " + now.revision());
        assertEquals("again", new String(cache.get(root + "/db").orElseThrow().data(), StandardCharsets.UTF_8));
        assertFalse(cache.get(root + "/db/pool").isPresent());
        assertInRevisionOrder(heard);
        assertEquals(truth, replay(base.nodes(), heard.stream().filter(c -> c.revision() > base.revision()).toList()),
                "the listener heard every change");
        assertEquals(0, cache.rebuilds());
    }

    @Test
    void aCacheOfAPathThatDoesNotExistYetSeesItCreatedAndDeleted() throws Exception {
        String root = "/cache-later";
        TreeCache cache = keep(TreeCache.start(client(cluster.endpoints()), root));
        assertTrue(cache.snapshot().nodes().isEmpty());
        admin.create(root, utf8("x"), CreateMode.PERSISTENT);
        long created = admin.create(root + "/child", utf8("y"), CreateMode.PERSISTENT).revision();
        assertTrue(cache.awaitRevision(created, WAIT));
        assertEquals(read(root), cache.snapshot().nodes());
        admin.delete(root, -1, true);
        long deleted = admin.get("/").revision();
        await().atMost(WAIT).until(() -> cache.snapshot().nodes().isEmpty());
        assertTrue(cache.revision() <= deleted);
    }

    @Test
    void aCacheCutOffPastTheHistoryIsRebuiltAndTellsTheDifference() throws Exception {
        String root = "/cache/compacted";
        admin.create(root, utf8("r"), CreateMode.PERSISTENT);
        admin.create(root + "/gone", utf8("soon"), CreateMode.PERSISTENT);
        try (CuttableProxy proxy = keep(new CuttableProxy(cluster.endpoint(0)))) {
            TreeCache cache = keep(TreeCache.start(client(proxy.endpoint()), root));
            SortedMap<String, CachedNode> before = cache.snapshot().nodes();
            List<TreeCache.TreeChange> heard = new CopyOnWriteArrayList<>();
            cache.addListener(heard::add);

            proxy.cut();
            admin.delete(root + "/gone", -1);
            long last = 0;
            for (int i = 0; i < HISTORY + 10; i++) {
                last = write(i, root);
            }
            proxy.heal();
            assertTrue(cache.awaitRevision(last, WAIT));
            await().atMost(WAIT).until(() -> cache.rebuilds() >= 1);
            assertEquals(read(root), cache.snapshot().nodes());
            assertTrue(heard.stream().anyMatch(TreeCache.TreeChange::rebuilt), heard.toString());
            assertInRevisionOrder(heard);
            assertEquals(read(root), replay(before, heard), "the rebuild's difference brings the listener up to date");
        }
    }

    @Test
    void aCacheMovedToAnotherMemberMissesNothing() throws Exception {
        String root = "/cache/moved";
        admin.create(root, utf8("r"), CreateMode.PERSISTENT);
        try (CuttableProxy proxy = keep(new CuttableProxy(cluster.endpoint(0)))) {
            TreeCache cache = keep(TreeCache.start(client(proxy.endpoint() + "," + cluster.endpoint(1)), root));
            SortedMap<String, CachedNode> before = cache.snapshot().nodes();
            List<TreeCache.TreeChange> heard = new CopyOnWriteArrayList<>();
            cache.addListener(heard::add);
            admin.create(root + "/a", utf8("1"), CreateMode.PERSISTENT);
            proxy.cut();
            long last = 0;
            for (int i = 0; i < 10; i++) {
                last = write(i, root);
            }
            assertTrue(cache.awaitRevision(last, WAIT));
            assertEquals(read(root), cache.snapshot().nodes());
            assertEquals(0, cache.rebuilds(), "resumed from its revision, not reloaded");
            assertEquals(read(root), replay(before, heard));
            assertInRevisionOrder(heard);
        }
    }

    @Test
    void aSubtreeTooLargeForOneAtomicLoadIsRefused() {
        String root = "/cache/big";
        admin.create(root, new byte[0], CreateMode.PERSISTENT);
        for (int i = 0; i < 130; i++) {
            admin.create(root + "/n" + i, new byte[0], CreateMode.PERSISTENT);
        }
        CoordinatorException e = org.junit.jupiter.api.Assertions.assertThrows(CoordinatorException.class,
                () -> TreeCache.start(admin, root));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        admin.delete(root, -1, true);
    }
}

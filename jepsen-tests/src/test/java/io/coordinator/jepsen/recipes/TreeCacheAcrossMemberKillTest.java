package io.coordinator.jepsen.recipes;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.recipes.CachedNode;
import io.coordinator.client.recipes.TreeCache;
import io.coordinator.core.api.CreateMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A configuration cache whose member is SIGKILLed: the cache moves to another member and, after
 * every change made before and after the crash, equals a linearizable read of the subtree taken
 * once the cache has reached that change's revision (only this test writes to the subtree, so the
 * read is the subtree at that revision). Its listener heard every change, in revision order.
 * (The COMPACTED resume is TreeCacheTest's, in coordinator-client, with a short watch history.)
 */
class TreeCacheAcrossMemberKillTest extends ProcessRecipeTestBase {
    private static final String ROOT = "/app/config";

    @Test
    void theCacheFollowsEveryChangeAcrossTheCrashOfItsMember() throws Exception {
        Coordinator admin = client(10_000);
        admin.create("/app", new byte[0], CreateMode.PERSISTENT);
        admin.create(ROOT, utf8("root"), CreateMode.PERSISTENT);
        admin.create(ROOT + "/db", utf8("primary"), CreateMode.PERSISTENT);
        // The cache's client starts on m1, the member the test kills.
        String m1First = cluster.endpoint("m1") + "," + cluster.endpoint("m2") + "," + cluster.endpoint("m3");
        Coordinator cacheClient = closedAfterTest(Coordinator.connect(ClientConfig.builder().endpoints(m1First)
                .shuffleEndpoints(false).sessionTtlMillis(10_000).requestTimeoutMillis(30_000).build()));
        TreeCache cache = closedAfterTest(TreeCache.start(cacheClient, ROOT));
        List<TreeCache.TreeChange> heard = new CopyOnWriteArrayList<>();
        cache.addListener(heard::add);
        assertEquals(read(admin), cache.snapshot().nodes());

        for (int i = 0; i < 30; i++) {
            if (i == 10) {
                cluster.kill("m1");
            }
            long revision = change(admin, i);
            assertTrue(cache.awaitRevision(revision, WAIT), "the cache stopped at " + cache.revision() + " < " + revision);
            assertEquals(read(admin), cache.snapshot().nodes(), "after change " + i + " at revision " + revision);
        }
        cluster.startMember("m1");
        for (int i = 1; i < heard.size(); i++) {
            assertTrue(heard.get(i - 1).revision() < heard.get(i).revision(), "out of revision order: " + heard);
        }
        assertEquals(0, cache.rebuilds(), "a move to another member resumes the watch; it needs no reload");
        assertTrue(heard.size() >= 30, "a change went unheard: " + heard.size());
    }

    /** Sets, creates or deletes one key; returns the revision of the change. */
    private static long change(Coordinator admin, int i) {
        String key = ROOT + "/k" + (i % 4);
        if (i % 3 == 2 && admin.exists(key).isPresent()) {
            return admin.delete(key, -1).revision();
        }
        if (admin.exists(key).isPresent()) {
            return admin.set(key, utf8("v" + i)).modRevision();
        }
        return admin.create(key, utf8("v" + i), CreateMode.PERSISTENT).revision();
    }

    /** The subtree, linearizably: a flat one (the root and its children), in one atomic read each. */
    private static SortedMap<String, CachedNode> read(Coordinator admin) {
        SortedMap<String, CachedNode> nodes = new TreeMap<>();
        var root = admin.get(ROOT);
        nodes.put(ROOT, new CachedNode(ROOT, root.data(), root.stat()));
        for (String name : admin.children(ROOT).names()) {
            String path = ROOT + "/" + name;
            var node = admin.get(path);
            nodes.put(path, new CachedNode(path, node.data(), node.stat()));
        }
        return nodes;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

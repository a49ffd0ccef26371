package io.coordinator.client.recipes;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What every recipe test class shares: three real members in this JVM for the whole class (each
 * test works under paths of its own), and daemon threads for contenders that block.
 */
abstract class RecipeTestBase {
    protected static RecipeCluster cluster;
    protected static ExecutorService threads;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RecipeCluster.start(3);
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "recipe-test");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (threads != null) {
            threads.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    protected static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.coordinator.jepsen.bench;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: Curator's {@link InterProcessMutex} acquire()+release(), and a handover between two
 * {@link LeaderLatch}es with their own ZooKeeper sessions: the leader's latch closes, the waiting
 * latch's listener hears isLeader(). A closed latch cannot start again, so each round's loser gets a
 * new one.
 */
final class CuratorRecipes implements RecipeTarget {
    private static final long HANDOVER_TIMEOUT_SECONDS = 30;
    private static final String ELECTION = "/bench-recipes/election";

    private final CuratorFramework locker;
    private final CuratorFramework[] candidates = new CuratorFramework[2];
    private final InterProcessMutex mutex;
    private LeaderLatch leading;
    private int leader;

    CuratorRecipes(String connectString) throws Exception {
        locker = start(connectString);
        mutex = new InterProcessMutex(locker, "/bench-recipes/lock");
        for (int i = 0; i < 2; i++) {
            candidates[i] = start(connectString);
        }
        leading = new LeaderLatch(candidates[0], ELECTION, "candidate-0");
        leading.start();
        if (!leading.await(HANDOVER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the first latch never led");
        }
    }

    private static CuratorFramework start(String connectString) throws InterruptedException {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(connectString)
                .sessionTimeoutMs(30_000).connectionTimeoutMs(15_000).zkClientConfig(config)
                .retryPolicy(new ExponentialBackoffRetry(100, 3)).build();
        client.start();
        if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
            client.close();
            throw new IllegalStateException("Curator could not connect to " + connectString);
        }
        return client;
    }

    @Override
    public void lockAndUnlock() throws Exception {
        mutex.acquire();
        mutex.release();
    }

    @Override
    public long handover() throws Exception {
        int next = 1 - leader;
        LeaderLatch waiting = new LeaderLatch(candidates[next], ELECTION, "candidate-" + next);
        CompletableFuture<Void> leads = new CompletableFuture<>();
        waiting.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                leads.complete(null);
            }

            @Override
            public void notLeader() {
            }
        });
        waiting.start();
        awaitQueued();
        long start = System.nanoTime();
        leading.close();
        leads.get(HANDOVER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long nanos = System.nanoTime() - start;
        leading = waiting;
        leader = next;
        return nanos;
    }

    private void awaitQueued() throws Exception {
        for (int i = 0; i < 3_000; i++) {
            if (locker.getChildren().forPath(ELECTION).size() == 2) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        throw new IllegalStateException("the second latch never joined the election");
    }

    @Override
    public String describe() {
        return "Curator " + curatorVersion() + ": InterProcessMutex acquire()+release(); LeaderLatch close() -> the other latch's isLeader()";
    }

    /** From the jar's Maven metadata: the shaded jar has no Implementation-Version for it. */
    private static String curatorVersion() {
        try (InputStream in = CuratorFramework.class.getResourceAsStream(
                "/META-INF/maven/org.apache.curator/curator-framework/pom.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "(version unknown)");
        } catch (IOException e) {
            return "(version unknown)";
        }
    }

    @Override
    public void close() throws Exception {
        leading.close();
        for (CuratorFramework client : candidates) {
            client.close();
        }
        locker.close();
    }
}

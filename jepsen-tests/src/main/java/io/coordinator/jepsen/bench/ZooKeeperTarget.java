package io.coordinator.jepsen.bench;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * ZooKeeper through its own client's asynchronous API (one session, one connection, requests
 * pipelined). write is {@code setData} with version -1. ZooKeeper has no linearizable read: a plain
 * {@code getData} is answered by the connected server from its own state (sequentially consistent),
 * so read-local is that, and read is {@code sync} followed by {@code getData}, sent back to back:
 * the session's FIFO order holds the read until the sync has brought the server up to the leader.
 * (Even that is not strictly linearizable: the leader does not confirm it still leads.)
 */
final class ZooKeeperTarget implements BenchTarget {
    private static final int SESSION_TIMEOUT_MILLIS = 30_000;
    private static final int PREPARE_BATCH = 256;

    private final ZooKeeper zk;

    private ZooKeeperTarget(ZooKeeper zk) {
        this.zk = zk;
    }

    static ZooKeeperTarget connect(String connectString, Duration timeout) throws IOException, InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        ZooKeeper zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MILLIS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, config);
        if (!connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            zk.close();
            throw new IllegalStateException("no ZooKeeper session with " + connectString + " within " + timeout);
        }
        return new ZooKeeperTarget(zk);
    }

    @Override
    public void prepare(List<String> keys, byte[] value) throws Exception {
        String root = keys.get(0).substring(0, keys.get(0).lastIndexOf('/'));
        try {
            zk.create(root, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException alreadyThere) {
            // from an earlier run against the same ensemble
        }
        List<CompletableFuture<Void>> creates = new ArrayList<>();
        for (String path : keys) {
            CompletableFuture<Void> created = new CompletableFuture<>();
            zk.create(path, value, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (rc, p, ctx, name) -> {
                if (rc == KeeperException.Code.OK.intValue() || rc == KeeperException.Code.NODEEXISTS.intValue()) {
                    created.complete(null);
                } else {
                    created.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), p));
                }
            }, null);
            creates.add(created);
            if (creates.size() == PREPARE_BATCH) {
                creates.forEach(CompletableFuture::join);
                creates.clear();
            }
        }
        creates.forEach(CompletableFuture::join);
    }

    @Override
    public CompletableFuture<?> call(Op op, String key, byte[] value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        switch (op) {
            case WRITE -> zk.setData(key, value, -1, (rc, path, ctx, stat) -> complete(done, rc, path), null);
            case READ -> {
                // Callbacks run in order on the client's one event thread: the sync's comes first.
                int[] syncRc = {KeeperException.Code.OK.intValue()};
                zk.sync(key, (rc, path, ctx) -> syncRc[0] = rc, null);
                zk.getData(key, false, (rc, path, ctx, data, stat) ->
                        complete(done, rc != KeeperException.Code.OK.intValue() ? rc : syncRc[0], path), null);
            }
            case READ_LOCAL -> zk.getData(key, false, (rc, path, ctx, data, stat) -> complete(done, rc, path), null);
        }
        return done;
    }

    private static void complete(CompletableFuture<Void> done, int rc, String path) {
        if (rc == KeeperException.Code.OK.intValue()) {
            done.complete(null);
        } else {
            done.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), path));
        }
    }

    @Override
    public void close() {
        try {
            zk.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.coordinator.jepsen.harness;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The lock workload against ZooKeeper with Curator's {@link InterProcessMutex} on {@link LockWorkload#LOCK},
 * one {@link CuratorFramework} (its own session, {@link #SESSION_TIMEOUT_MILLIS}) per client, as a
 * careful Curator user would fence:
 * <ul>
 *   <li>token: the czxid of the holder's lock node (the zxid of its create). Later grants' nodes are
 *       created later, so their czxids are larger; the node's sequence number would do until Curator's
 *       container parent is reaped and the sequence starts over.</li>
 *   <li>the write to {@link LockWorkload#DATA}: a multi {@code check(lock node) + setData}: applied only
 *       while the lock node, hence the grant, still exists; NoNode is the fence refusing.</li>
 *   <li>the in-process resource is {@link io.coordinator.client.recipes.FencedResource}, with the czxid.</li>
 *   <li>release: a plain delete of the lock node first, {@code ok} when it deleted it (an ephemeral node
 *       that still exists means its session, so the grant, was alive); NoNode or an error is
 *       unconfirmed. Then Curator's {@code release()}, to clear its own state.</li>
 *   <li>an abandoned grant: its client closes (the session ends, the lock node with it); the holder's
 *       late write goes through a fresh client.</li>
 * </ul>
 */
final class ZooKeeperLockWorkload extends BaselineLockWorkload {
    /** ZooKeeper's least with its default tickTime of 2 s: 2 ticks; the Coordinator lock's sessions are 3 s. */
    static final int SESSION_TIMEOUT_MILLIS = 4_000;
    private static final int CONNECTION_TIMEOUT_MILLIS = 2_000;

    /** Curator keeps the lock node's path to itself; this is the extension point it offers. */
    private static final class FencingMutex extends InterProcessMutex {
        FencingMutex(CuratorFramework client, String path) {
            super(client, path);
        }

        String lockNode() {
            return getLockPath();
        }
    }

    private record ZkGrant(long token, String lockNode) implements Grant {
    }

    private final List<String> endpoints;
    private final List<CuratorFramework> clients = new CopyOnWriteArrayList<>();
    private final List<FencingMutex> mutexes = new CopyOnWriteArrayList<>();

    ZooKeeperLockWorkload(List<String> endpoints, int clients, long seed, HistoryRecorder recorder) {
        super(clients, seed, true, recorder);
        this.endpoints = List.copyOf(endpoints);
    }

    private CuratorFramework connect(int client, Duration timeout) {
        CuratorFramework curator = CuratorFrameworkFactory.newClient(ZooKeeperHandles.connectString(endpoints, client, false),
                SESSION_TIMEOUT_MILLIS, CONNECTION_TIMEOUT_MILLIS, new RetryNTimes(2, 200));
        curator.start();
        try {
            if (!curator.blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                curator.close();
                throw new IllegalStateException("client " + client + ": no ZooKeeper connection within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            curator.close();
            throw new IllegalStateException("interrupted connecting client " + client, e);
        }
        return curator;
    }

    @Override
    public void setUp(Duration timeout) {
        for (int i = 0; i < clients(); i++) {
            CuratorFramework curator = connect(i, timeout);
            clients.add(curator);
            mutexes.add(new FencingMutex(curator, LockWorkload.LOCK));
        }
        try {
            clients.get(0).create().creatingParentsIfNeeded().forPath(LockWorkload.DATA);
        } catch (KeeperException.NodeExistsException exists) {
            // a run in the same ensemble made it
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + LockWorkload.DATA + ": " + e, e);
        }
    }

    @Override
    Acquire acquire(int client) throws InterruptedException {
        FencingMutex mutex = mutexes.get(client);
        try {
            if (!mutex.acquire(LockWorkload.ACQUIRE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return Acquire.not(HistoryRecorder.Type.FAIL, "timed out"); // Curator deleted its node
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return Acquire.not(HistoryRecorder.Type.INFO, e.getClass().getSimpleName());
        }
        String node = mutex.lockNode();
        Stat stat = null;
        try {
            stat = clients.get(client).checkExists().forPath(node);
        } catch (Exception e) {
            // no token: handled below
        }
        if (stat == null) {
            // Held by Curator's account, but the node is gone or unreadable: no token to fence with.
            releaseQuietly(client);
            return Acquire.not(HistoryRecorder.Type.INFO, "held without a readable lock node");
        }
        return Acquire.ok(new ZkGrant(stat.getCzxid(), node));
    }

    @Override
    void writeData(int client, Grant grant, long grantNumber, boolean late) {
        CuratorFramework curator = clients.get(client);
        String node = ((ZkGrant) grant).lockNode();
        try {
            curator.transaction().forOperations(
                    curator.transactionOp().check().forPath(node),
                    curator.transactionOp().setData().forPath(LockWorkload.DATA, Long.toString(grantNumber).getBytes(StandardCharsets.UTF_8)));
            count(late ? "late fenced write applied" : "fenced write ok");
        } catch (KeeperException.NoNodeException refused) {
            count("fenced write refused");
        } catch (Exception e) {
            count("fenced write unknown");
        }
    }

    @Override
    boolean release(int client, Grant grant) {
        boolean confirmed;
        try {
            clients.get(client).delete().forPath(((ZkGrant) grant).lockNode());
            confirmed = true;
        } catch (Exception e) {
            confirmed = false;
        }
        releaseQuietly(client);
        return confirmed;
    }

    private void releaseQuietly(int client) {
        try {
            mutexes.get(client).release(); // its own delete finds NoNode, which Curator ignores
        } catch (Exception e) {
            count("curator release failed");
        }
    }

    @Override
    void endWithoutRelease(int client, Grant grant) {
        clients.get(client).close(); // the session ends, and the ephemeral lock node with it
        CuratorFramework fresh = connect(client, Duration.ofSeconds(30));
        clients.set(client, fresh);
        mutexes.set(client, new FencingMutex(fresh, LockWorkload.LOCK));
    }

    @Override
    String tokenMeaning() {
        return "the lock node's czxid; DATA written by a multi check(lock node) + setData";
    }

    @Override
    public void close() {
        super.close();
        List<Thread> closers = clients.stream().map(c -> {
            Thread closer = new Thread(c::close, "curator-close");
            closer.setDaemon(true);
            closer.start();
            return closer;
        }).toList();
        for (Thread closer : closers) {
            try {
                closer.join(Clients.STOP_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

package io.coordinator.jepsen.harness;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The harness's ZooKeeper clients: each its own {@link ZooKeeper} handle with a bounded request
 * timeout (the client's {@code zookeeper.request.timeout}: {@link RegisterWorkload}'s 2.5 s), so that a
 * fault produces an error, never a hang.
 */
final class ZooKeeperHandles {
    /** ZooKeeper grants 4-40 s with its default tickTime of 2 s; 10 s as the Coordinator register's sessions. */
    static final int SESSION_TIMEOUT_MILLIS = 10_000;

    static {
        // The client logs every connection loss and request timeout with a stack trace (WARN, ERROR): under
        // a nemesis that is hundreds of lines of expected noise on the console; the history records each.
        // Only this JVM's loggers: the members run in processes of their own and keep their logs whole.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn", "off");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper", "error");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.curator", "error");
        // Curator reports each background retry it gives up on (closing a client mid-fault) as an ERROR.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.curator.framework.imps.CuratorFrameworkImpl", "off");
    }

    private ZooKeeperHandles() {
    }

    /**
     * Client {@code index}'s connect string: member {@code index} alone when pinned (as Jepsen binds a
     * client to its node), else every member starting there (the ZooKeeper client shuffles it anyway).
     */
    static String connectString(List<String> endpoints, int index, boolean pinned) {
        if (pinned) {
            return endpoints.get(index % endpoints.size());
        }
        List<String> order = new ArrayList<>();
        for (int j = 0; j < endpoints.size(); j++) {
            order.add(endpoints.get((index + j) % endpoints.size()));
        }
        return String.join(",", order);
    }

    /** A new handle; it connects in the background, and calls made meanwhile wait within the request timeout. */
    static ZooKeeper open(String connectString, int sessionTimeoutMillis) {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ZOOKEEPER_REQUEST_TIMEOUT, Long.toString(RegisterWorkload.REQUEST_TIMEOUT_MILLIS));
        try {
            return new ZooKeeper(connectString, sessionTimeoutMillis, event -> {
            }, config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a ZooKeeper client for " + connectString, e);
        }
    }

    /** A handle whose session is established, trying again until {@code timeout}. */
    static ZooKeeper connect(String connectString, int sessionTimeoutMillis, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ZooKeeper zk = open(connectString, sessionTimeoutMillis);
        while (!zk.getState().isConnected()) {
            if (System.nanoTime() > deadline) {
                close(zk);
                throw new IllegalStateException("no ZooKeeper session with " + connectString + " within " + timeout.toSeconds() + " s");
            }
            if (!zk.getState().isAlive()) {
                close(zk);
                zk = open(connectString, sessionTimeoutMillis);
            }
            Clients.pause(50);
        }
        return zk;
    }

    /** Creates each path (persistent, empty) unless it exists, retrying until {@code timeout}. */
    static void createPaths(ZooKeeper zk, Duration timeout, String... paths) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String path : paths) {
            while (true) {
                try {
                    zk.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    break;
                } catch (KeeperException.NodeExistsException exists) {
                    break;
                } catch (KeeperException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("cannot create " + path + ": " + e, e);
                    }
                    Clients.pause(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted creating " + path, e);
                }
            }
        }
    }

    static void close(ZooKeeper zk) {
        try {
            zk.close(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** In parallel, each bounded: a close waits for a member that may be gone. */
    static void closeAll(List<ZooKeeper> handles) {
        List<Thread> closers = new ArrayList<>();
        for (ZooKeeper zk : handles) {
            Thread closer = new Thread(() -> close(zk), "zookeeper-client-close");
            closer.setDaemon(true);
            closer.start();
            closers.add(closer);
        }
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

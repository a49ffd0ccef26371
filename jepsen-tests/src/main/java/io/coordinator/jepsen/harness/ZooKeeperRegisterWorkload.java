package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.harness.HistoryRecorder.Type;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The register workload against ZooKeeper, through its own Java client, one {@link ZooKeeper} handle
 * per harness client (pinned or roaming as {@link Clients} does for Coordinator); registers are znodes
 * {@code /harness/r/k0}, ...:
 * <ul>
 *   <li>read: {@code getData}, ZooKeeper's ordinary read, answered by whichever server the client is
 *       connected to from its own state, documented as possibly stale ("sequential consistency", not
 *       linearizable); with {@code linearizableReads}, {@code sync} first, ZooKeeper's advice for a read
 *       that must see every write completed before it. NoNode is an {@code ok} read of null; an error is
 *       a {@code fail}: a read changes nothing.</li>
 *   <li>write: {@code setData(version -1)}; on NoNode {@code create}; on NodeExists (another client
 *       created it meanwhile) {@code setData} again. Each refusal applied nothing, so the write takes
 *       effect once or not at all; a connection loss, request timeout or session expiry mid-call is
 *       {@code info}.</li>
 *   <li>cas {@code [a, b]}: {@code getData} (after {@code sync} with linearizable reads), {@code fail}
 *       when the value is not {@code a} (or absent), else {@code setData(b, version read)}. A cas
 *       {@code fail} tells the checker that the register held another value ({@code RegisterModel}), so
 *       only a value seen earns it. BadVersion means another write came between: tried again from the
 *       read, up to {@link #CAS_ATTEMPTS} times, then {@code info}: the cas did not apply, but the write
 *       between may have written {@code a} again. A read that failed saw nothing: {@code info} too,
 *       though nothing was written (an {@code info} cas may be placed last, the same as never).</li>
 * </ul>
 * A handle whose session expired (its member was down longer than the session timeout) is replaced
 * before the client's next call.
 */
final class ZooKeeperRegisterWorkload extends BaselineRegisterWorkload {
    static final int CAS_ATTEMPTS = 3;

    private final List<String> endpoints;
    private final boolean linearizableReads;
    private final List<ZooKeeper> handles = new CopyOnWriteArrayList<>();

    /**
     * @param endpoints         the members' host:port, in member order
     * @param linearizableReads {@code sync} before each read
     */
    ZooKeeperRegisterWorkload(List<String> endpoints, boolean linearizableReads, int clients, int keys, long seed,
                              HistoryRecorder recorder) {
        super(clients, keys, seed, recorder);
        this.endpoints = List.copyOf(endpoints);
        this.linearizableReads = linearizableReads;
    }

    private String connectString(int client) {
        return ZooKeeperHandles.connectString(endpoints, client, client < endpoints.size());
    }

    @Override
    public void setUp(Duration timeout) {
        for (int i = 0; i < clients(); i++) {
            handles.add(ZooKeeperHandles.connect(connectString(i), ZooKeeperHandles.SESSION_TIMEOUT_MILLIS, timeout));
        }
        ZooKeeperHandles.createPaths(handles.get(0), timeout, "/harness", RegisterWorkload.ROOT);
    }

    /** The client's handle; a new one when its session has expired (a dead handle refuses every call). */
    private ZooKeeper handle(int client) {
        ZooKeeper zk = handles.get(client);
        if (!zk.getState().isAlive()) {
            ZooKeeperHandles.close(zk);
            zk = ZooKeeperHandles.open(connectString(client), ZooKeeperHandles.SESSION_TIMEOUT_MILLIS);
            handles.set(client, zk);
        }
        return zk;
    }

    @Override
    Read read(int client, String key) {
        ZooKeeper zk = handle(client);
        String path = RegisterWorkload.path(key);
        try {
            if (linearizableReads) {
                zk.sync(path);
            }
            return Read.ok(value(zk.getData(path, false, null)));
        } catch (KeeperException.NoNodeException absent) {
            return Read.ok(null);
        } catch (KeeperException e) {
            return Read.failed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Read.failed();
        }
    }

    @Override
    Type write(int client, String key, long value) {
        ZooKeeper zk = handle(client);
        String path = RegisterWorkload.path(key);
        byte[] data = bytes(value);
        try {
            for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
                try {
                    zk.setData(path, data, -1);
                    return Type.OK;
                } catch (KeeperException.NoNodeException absent) {
                    try {
                        zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                        return Type.OK;
                    } catch (KeeperException.NodeExistsException createdMeanwhile) {
                        // someone else's create won: set it, as the next attempt does
                    }
                }
            }
            return Type.FAIL; // every attempt was refused, so nothing applied
        } catch (KeeperException e) {
            return Type.INFO;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Type.INFO;
        }
    }

    @Override
    Type cas(int client, String key, long expected, long value) {
        ZooKeeper zk = handle(client);
        String path = RegisterWorkload.path(key);
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Stat stat = new Stat();
            Long current;
            try {
                if (linearizableReads) {
                    zk.sync(path);
                }
                current = value(zk.getData(path, false, stat));
            } catch (KeeperException.NoNodeException absent) {
                return Type.FAIL; // absent is not a value a cas expects
            } catch (KeeperException e) {
                return Type.INFO; // nothing written, but nothing seen either: see the class comment
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Type.INFO;
            }
            if (current != expected) {
                return Type.FAIL;
            }
            try {
                zk.setData(path, bytes(value), stat.getVersion());
                return Type.OK;
            } catch (KeeperException.BadVersionException writtenBetween) {
                // read again
            } catch (KeeperException e) {
                return Type.INFO;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Type.INFO;
            }
        }
        return Type.INFO;
    }

    private static Long value(byte[] data) {
        return Long.parseLong(new String(data, StandardCharsets.UTF_8));
    }

    private static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        super.close();
        ZooKeeperHandles.closeAll(handles);
    }
}

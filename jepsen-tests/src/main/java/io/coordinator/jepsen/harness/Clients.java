package io.coordinator.jepsen.harness;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Endpoint;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the set and lock workloads share with the register's: clients spread over the members with
 * bounded calls, creating the workload's parents, and closing clients in parallel. The bounds are
 * {@link RegisterWorkload}'s, for the same reason: a fault produces {@code fail} and {@code info}, never a hang.
 */
final class Clients {
    static final long STOP_JOIN_MILLIS = RegisterWorkload.REQUEST_TIMEOUT_MILLIS * 4;
    private static final Logger log = LoggerFactory.getLogger(Clients.class);

    private Clients() {
    }

    /**
     * Client {@code index}, listing member {@code index % members} first, not shuffling. Opening the
     * session is a write: just after an election on a loaded machine it can miss the 2.5 s request
     * timeout, so it is tried again until {@code timeout} (seen: a lock run failing in its set-up).
     */
    static Coordinator connect(List<Endpoint> endpoints, int index, long sessionTtlMillis, Duration timeout) {
        List<Endpoint> preferred = new ArrayList<>();
        for (int j = 0; j < endpoints.size(); j++) {
            preferred.add(endpoints.get((index + j) % endpoints.size()));
        }
        return connectTo(preferred, index, sessionTtlMillis, timeout);
    }

    /**
     * Client {@code index}, bound to member {@code index % members} alone, as every Jepsen client is
     * bound to its node: it never moves away when its member is cut off, paused or refusing, so it keeps
     * asking the member a fault hit, which is where a stale answer would come from. (A client that
     * moves on at the first UNAVAILABLE rarely reads from a cut-off member.)
     */
    static Coordinator connectPinned(List<Endpoint> endpoints, int index, long sessionTtlMillis, Duration timeout) {
        return connectTo(List.of(endpoints.get(index % endpoints.size())), index, sessionTtlMillis, timeout);
    }

    private static Coordinator connectTo(List<Endpoint> preferred, int index, long sessionTtlMillis, Duration timeout) {
        ClientConfig config = ClientConfig.builder().endpoints(preferred).shuffleEndpoints(false)
                .sessionTtlMillis(sessionTtlMillis)
                .requestTimeoutMillis(RegisterWorkload.REQUEST_TIMEOUT_MILLIS)
                .attemptTimeoutMillis(RegisterWorkload.ATTEMPT_TIMEOUT_MILLIS)
                .connectTimeoutMillis(RegisterWorkload.CONNECT_TIMEOUT_MILLIS).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return Coordinator.connect(config);
            } catch (CoordinatorException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                log.info("client {}: connecting failed ({}); trying again", index, e.getMessage());
                pause(200);
            }
        }
    }

    /** Creates each path (persistent, empty) unless it exists, retrying until {@code timeout}. */
    static void createPaths(Coordinator client, Duration timeout, String... paths) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String path : paths) {
            while (true) {
                try {
                    client.create(path, new byte[0], CreateMode.PERSISTENT);
                    break;
                } catch (CoordinatorException e) {
                    if (e.code() == ErrorCode.NODE_EXISTS) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    pause(100);
                }
            }
        }
    }

    static void join(List<Thread> threads) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(STOP_JOIN_MILLIS);
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not stop within " + STOP_JOIN_MILLIS + " ms");
            }
        }
    }

    /** In parallel: a client's close ends its session, which waits for members that may be gone. */
    static void closeAll(List<Coordinator> clients) {
        List<Thread> closers = new ArrayList<>();
        for (Coordinator client : clients) {
            Thread closer = new Thread(() -> {
                try {
                    client.close();
                } catch (RuntimeException e) {
                    log.debug("closing a client", e);
                }
            }, "harness-client-close");
            closer.setDaemon(true);
            closer.start();
            closers.add(closer);
        }
        for (Thread closer : closers) {
            try {
                closer.join(STOP_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** @return false when interrupted */
    static boolean pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

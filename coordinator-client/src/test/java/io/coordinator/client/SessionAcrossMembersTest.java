package io.coordinator.client;

import io.coordinator.client.support.IsolatedCluster;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real client's session against real members (see {@link IsolatedCluster}, skipped without the
 * server's jar): it moves to another member with its ephemerals when its member stops, granted
 * sessions work by id and secret from any client, and a client cut off from every member gives its
 * session up within its TTL.
 */
class SessionAcrossMembersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanup() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }

    private Coordinator client(String endpoints, boolean session, long ttlMillis) {
        return keep(Coordinator.connect(ClientConfig.builder().endpoints(endpoints).shuffleEndpoints(false)
                .openSession(session).sessionTtlMillis(ttlMillis).requestTimeoutMillis(15_000)
                .attemptTimeoutMillis(5_000).build()));
    }

    /** A client without a session, once the cluster answers through {@code endpoints}. */
    private Coordinator ready(String endpoints) {
        Coordinator client = client(endpoints, false, 10_000);
        await().atMost(WAIT).ignoreExceptions().until(() -> client.exists("/").isPresent());
        return client;
    }

    private static List<SessionState> sinceConnected(List<SessionState> states) {
        List<SessionState> copy = List.copyOf(states);
        return !copy.isEmpty() && copy.get(0) == SessionState.CONNECTED ? copy.subList(1, copy.size()) : copy;
    }

    @Test
    void whenItsMemberStopsTheSessionMovesWithItsEphemeralsAndStaysTheSame() throws Exception {
        IsolatedCluster cluster = keep(IsolatedCluster.start(3, Map.of()));
        Coordinator observer = ready(cluster.endpoint(1) + "," + cluster.endpoint(2));
        long ttl = 3_000;
        Coordinator owner = client(cluster.endpoints(), true, ttl);
        List<SessionState> states = new CopyOnWriteArrayList<>();
        owner.addStateListener(states::add);
        long session = owner.session().orElseThrow().sessionId();
        owner.create("/owned", new byte[0], CreateMode.EPHEMERAL);

        cluster.stop(0);
        await().atMost(WAIT).until(() -> sinceConnected(states).equals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED)));
        assertEquals(session, owner.session().orElseThrow().sessionId());
        assertEquals(session, owner.create("/owned-after", new byte[0], CreateMode.EPHEMERAL).stat().ephemeralOwner());

        // Another whole TTL later it is still the same, live session.
        long start = System.nanoTime();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(ttl + ttl / 2));
        assertEquals(session, observer.exists("/owned").orElseThrow().ephemeralOwner());
        assertEquals(session, observer.exists("/owned-after").orElseThrow().ephemeralOwner());
        assertEquals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED), sinceConnected(states));
        // Alive: a wrong secret is UNAUTHORIZED, not SESSION_EXPIRED.
        assertEquals(ErrorCode.UNAUTHORIZED, assertThrows(CoordinatorException.class,
                () -> observer.checkSession(session, 0)).code());
    }

    @Test
    void grantedSessionsWorkByIdAndSecretFromAnyClientOnAnyMember() throws Exception {
        IsolatedCluster cluster = keep(IsolatedCluster.start(3, Map.of()));
        Coordinator a = ready(cluster.endpoint(0));
        Coordinator b = ready(cluster.endpoint(2));

        SessionGrant grant = a.grantSession(3_000);
        assertEquals(new SessionInfo(grant.sessionId(), 3_000), b.checkSession(grant.sessionId(), grant.secret()));
        b.keepAliveSession(grant.sessionId(), grant.secret());
        assertEquals(ErrorCode.UNAUTHORIZED, assertThrows(CoordinatorException.class,
                () -> b.keepAliveSession(grant.sessionId(), grant.secret() + 1)).code());
        assertEquals(ErrorCode.UNAUTHORIZED, assertThrows(CoordinatorException.class,
                () -> b.closeSession(grant.sessionId(), grant.secret() + 1)).code());
        assertEquals(ErrorCode.BAD_ARGUMENTS, assertThrows(CoordinatorException.class, () -> a.grantSession(1)).code());

        a.closeSession(grant.sessionId(), grant.secret());
        // b still has it attached: the member answers that it is gone. a's member detached it on close:
        // a attaches it again and hears the same.
        assertInstanceOf(CoordinatorException.SessionExpiredException.class, assertThrows(CoordinatorException.class,
                () -> b.keepAliveSession(grant.sessionId(), grant.secret())));
        assertInstanceOf(CoordinatorException.SessionExpiredException.class, assertThrows(CoordinatorException.class,
                () -> a.keepAliveSession(grant.sessionId(), grant.secret())));
        assertInstanceOf(CoordinatorException.SessionExpiredException.class, assertThrows(CoordinatorException.class,
                () -> b.checkSession(grant.sessionId(), grant.secret())));
    }

    @Test
    void aClientCutOffFromEveryMemberGivesItsSessionUpWithinItsTtl() throws Exception {
        IsolatedCluster cluster = keep(IsolatedCluster.start(3, Map.of()));
        ready(cluster.endpoints());
        long ttl = 2_000;
        Coordinator owner = client(cluster.endpoints(), true, ttl);
        AtomicLong lostAt = new AtomicLong();
        List<SessionState> states = new CopyOnWriteArrayList<>();
        owner.addStateListener(state -> {
            if (state == SessionState.LOST) {
                lostAt.set(System.nanoTime());
            }
            states.add(state);
        });
        owner.create("/doomed", new byte[0], CreateMode.EPHEMERAL);

        for (int i = 0; i < 3; i++) {
            cluster.stop(i);
        }
        long stopped = System.nanoTime();
        await().atMost(Duration.ofMillis(ttl + 5_000)).until(() -> lostAt.get() != 0);
        // No renewal can have started after the last member stopped, so the verdict comes within a ttl.
        long afterStopMillis = TimeUnit.NANOSECONDS.toMillis(lostAt.get() - stopped);
        // A generous bound for a loaded machine; the point is "about a ttl", not "never".
        assertTrue(afterStopMillis <= ttl + 2_000, "LOST " + afterStopMillis + " ms after the members stopped; ttl " + ttl);
        // It may have moved to a member that was still up (RECONNECTED) before the last one stopped.
        List<SessionState> seen = sinceConnected(states);
        assertEquals(SessionState.SUSPENDED, seen.get(0), seen.toString());
        assertEquals(SessionState.LOST, seen.get(seen.size() - 1), seen.toString());
        assertTrue(owner.session().isEmpty());
    }
}

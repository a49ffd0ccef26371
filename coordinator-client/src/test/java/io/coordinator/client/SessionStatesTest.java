package io.coordinator.client;

import io.coordinator.client.fake.FakeMember;
import io.coordinator.client.fake.StrictSessions;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.coordinator.client.ClientTestSupport.config;
import static io.coordinator.client.fake.Scripts.STAT;
import static io.coordinator.client.fake.Scripts.bytes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session across moves and losses, against fake members that enforce attachment the way real
 * ones do ({@link StrictSessions}): SUSPENDED at once when the connection drops; RECONNECTED once the
 * same session is attached and renewed elsewhere; LOST on the cluster's verdict or after a whole TTL
 * without a renewal; CONNECTED again with a fresh session.
 */
class SessionStatesTest {
    private static final long SESSION = 0x77;

    /** Answers any write with Updated and any read with empty data. */
    private static final FakeMember.Handler OPS = r -> {
        if (r.command() != null && r.command().isWrite()) {
            r.reply(9, new Response.Updated(STAT));
        } else {
            r.reply(9, new Response.Data(new byte[0], STAT));
        }
    };

    private static final FakeMember.Handler UNAVAILABLE = r -> r.fail(ErrorCode.UNAVAILABLE, "no quorum here");

    /** States heard after the first CONNECTED, which a listener added after connect may or may not hear. */
    private static List<SessionState> sinceConnected(List<SessionState> states) {
        List<SessionState> copy = List.copyOf(states);
        return !copy.isEmpty() && copy.get(0) == SessionState.CONNECTED ? copy.subList(1, copy.size()) : copy;
    }

    private static boolean isAttach(FakeMember.Received r) {
        return r.message() instanceof ClientMessage.AttachSession;
    }

    private static boolean usesSession(FakeMember.Received r, long sessionId) {
        if (r.message() instanceof ClientMessage.AttachSession a) {
            return a.sessionId() == sessionId;
        }
        Command c = r.command();
        return (r.request() != null && r.request().sessionId() == sessionId)
                || (c instanceof Command.KeepAlive k && k.sessionIds().contains(sessionId))
                || (c instanceof Command.CloseSession close && close.sessionId() == sessionId);
    }

    private static CoordinatorException failure(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(CoordinatorException.class, e.getCause());
    }

    @Test
    void aMoveReattachesTheSameSessionBeforeItsWriteGoesAgainAndRenewsItAtOnce() {
        StrictSessions sessions = new StrictSessions(SESSION, OPS);
        AtomicBoolean dropFirstSet = new AtomicBoolean(true);
        AtomicLong droppedAt = new AtomicLong();
        AtomicLong keptAliveAt = new AtomicLong();
        FakeMember m1 = FakeMember.start(r -> {
            if (r.op() instanceof Op.SetData && dropFirstSet.getAndSet(false)) {
                droppedAt.set(System.nanoTime());
                r.dropConnection();
            } else {
                sessions.handle(r);
            }
        });
        FakeMember m2 = FakeMember.start(r -> {
            if (r.command() instanceof Command.KeepAlive) {
                keptAliveAt.compareAndSet(0, System.nanoTime());
            }
            sessions.handle(r);
        });
        List<SessionState> states = new CopyOnWriteArrayList<>();
        Coordinator client = null;
        try {
            // A long TTL (keep-alives every 10 s) so that "right after the move" and "at the next
            // keep-alive" are seconds apart, and a loaded machine cannot blur them.
            Coordinator c = client = Coordinator.connect(config(m1, m2).openSession(true).sessionTtlMillis(30_000).build());
            c.addStateListener(states::add);
            c.set("/a", bytes("v"), -1);

            List<FakeMember.Received> onM2 = m2.received(r -> usesSession(r, SESSION));
            assertTrue(isAttach(onM2.get(0)), "the session is attached before anything else uses it: " + onM2);
            assertEquals(new ClientMessage.AttachSession(SESSION, StrictSessions.SECRET), onM2.get(0).message());
            assertEquals(1, m2.received(SessionStatesTest::isAttach).size(), "one attach serves every call");
            assertEquals(0, m2.received(r -> r.command() instanceof Command.OpenSession).size(), "the same session");
            RetryTest.assertSameRequest(m1.received(r -> r.op() instanceof Op.SetData).get(0).request(),
                    m2.received(r -> r.op() instanceof Op.SetData).get(0).request());

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> sinceConnected(states).equals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED)));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(keptAliveAt.get() - droppedAt.get()) < 5_000,
                    "renewed right after the move, not a keep-alive interval (10 s) later");
            assertEquals(SESSION, c.session().orElseThrow().sessionId());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void reconnectingToTheSameMemberAttachesTheSessionAgain() {
        StrictSessions sessions = new StrictSessions(SESSION, OPS);
        FakeMember m = FakeMember.start(sessions);
        List<SessionState> states = new CopyOnWriteArrayList<>();
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m).openSession(true).sessionTtlMillis(3_000).build());
            c.addStateListener(states::add);
            assertEquals(0, m.received(SessionStatesTest::isAttach).size(), "opening attached it");
            m.dropAllConnections();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> sinceConnected(states).equals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED)));
            assertEquals(1, m.received(SessionStatesTest::isAttach).size());
            assertEquals(2, m.connectionsAccepted());
            c.set("/a", bytes("v"), -1);
            assertEquals(SESSION, m.received(r -> r.op() instanceof Op.SetData).get(0).request().sessionId());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void aHealthyMemberKeepsTheSessionForManyTtls() {
        StrictSessions sessions = new StrictSessions(SESSION, OPS);
        FakeMember m = FakeMember.start(sessions);
        List<SessionState> states = new CopyOnWriteArrayList<>();
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m).openSession(true).sessionTtlMillis(600).build());
            c.addStateListener(states::add);
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(3_000));
            assertEquals(List.of(), sinceConnected(states));
            assertEquals(SessionState.CONNECTED, c.state());
            assertTrue(m.received(r -> r.command() instanceof Command.KeepAlive).size() >= 10);
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    /**
     * m1 goes dark and m2 cannot serve (no quorum): no renewal succeeds, and a whole TTL after the
     * start of the last one that did, the client gives the session up, no later than the cluster
     * could expire it. A write waiting meanwhile fails with SESSION_EXPIRED; the next write opens a
     * fresh session once a member serves again.
     */
    @Test
    void withNoMemberAbleToRenewItTheClientGivesTheSessionUpOneTtlAfterTheLastRenewal() throws Exception {
        long ttl = 900;
        StrictSessions sessions = new StrictSessions(SESSION, OPS);
        AtomicBoolean dark = new AtomicBoolean();
        AtomicLong lastRenewalAt = new AtomicLong();
        FakeMember m1 = FakeMember.start(r -> {
            if (dark.get()) {
                r.dropConnection();
                return;
            }
            if (r.command() instanceof Command.KeepAlive) {
                lastRenewalAt.set(System.nanoTime());
            }
            sessions.handle(r);
        });
        FakeMember m2 = FakeMember.start(UNAVAILABLE);
        List<SessionState> states = new CopyOnWriteArrayList<>();
        AtomicLong lostAt = new AtomicLong();
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m1, m2).openSession(true).sessionTtlMillis(ttl).build());
            c.addStateListener(state -> {
                if (state == SessionState.LOST) {
                    lostAt.set(System.nanoTime());
                }
                states.add(state);
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> lastRenewalAt.get() != 0);
            dark.set(true);
            m1.dropAllConnections();
            await().atMost(Duration.ofSeconds(5)).until(() -> c.state() == SessionState.SUSPENDED);
            CompletableFuture<?> waiting = c.async().set("/a", bytes("v"), -1);

            await().atMost(Duration.ofSeconds(5)).until(() -> c.state() == SessionState.LOST);
            long afterRenewalMillis = TimeUnit.NANOSECONDS.toMillis(lostAt.get() - lastRenewalAt.get());
            // Never before the TTL has run out (the session may still be alive); the upper bound only
            // says "around then", generous for a loaded machine: the harness measures the real lag.
            assertTrue(afterRenewalMillis >= ttl - 200 && afterRenewalMillis <= ttl + 1_500,
                    "LOST " + afterRenewalMillis + " ms after the last renewal reached a member; ttl " + ttl);
            CoordinatorException e = failure(waiting);
            assertEquals(ErrorCode.SESSION_EXPIRED, e.code(), e.getMessage());
            assertTrue(c.session().isEmpty(), "a lost session is never used again");

            m2.handler(sessions);
            c.set("/b", bytes("v"), -1);
            assertEquals(SESSION + 1, m2.received(r -> r.op() instanceof Op.SetData).get(0).request().sessionId());
            await().atMost(Duration.ofSeconds(5)).until(() -> sinceConnected(states)
                    .equals(List.of(SessionState.SUSPENDED, SessionState.LOST, SessionState.CONNECTED)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !sessions.alive(SESSION));
            assertEquals(1, m2.received(r -> r.command() instanceof Command.CloseSession close
                    && close.sessionId() == SESSION).size(), "the abandoned session was closed on the cluster");
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void aWriteThatMayHaveBeenAppliedWhenTheSessionIsLostFailsWithOutcomeUnknown() {
        StrictSessions sessions = new StrictSessions(SESSION, OPS);
        AtomicBoolean dark = new AtomicBoolean();
        FakeMember m1 = FakeMember.start(r -> {
            if (dark.get() || r.op() instanceof Op.SetData) {
                dark.set(true);
                r.dropConnection();
            } else {
                sessions.handle(r);
            }
        });
        FakeMember m2 = FakeMember.start(UNAVAILABLE);
        Coordinator client = null;
        try {
            // Enough attempts that the write is still retrying when the session is given up.
            Coordinator c = client = Coordinator.connect(config(m1, m2).openSession(true).sessionTtlMillis(900)
                    .retryAttemptsMax(10_000).build());
            CoordinatorException e = assertThrows(CoordinatorException.class, () -> c.set("/a", bytes("v"), -1));
            assertEquals(ErrorCode.TIMEOUT, e.code(), e.getMessage());
            assertTrue(e.outcomeUnknown());
            assertEquals(SessionState.LOST, c.state(), e.getMessage());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void theClustersVerdictOnAnAttachMakesTheSessionLostAndTheNextWriteOpensAFreshOne() {
        StrictSessions sessions = new StrictSessions(SESSION, OPS);
        AtomicBoolean dark = new AtomicBoolean();
        FakeMember m1 = FakeMember.start(r -> {
            if (dark.get()) {
                r.dropConnection();
            } else {
                sessions.handle(r);
            }
        });
        FakeMember m2 = FakeMember.start(sessions);
        List<SessionState> states = new CopyOnWriteArrayList<>();
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m1, m2).openSession(true).sessionTtlMillis(3_000).build());
            c.addStateListener(states::add);
            sessions.expire(SESSION);
            dark.set(true);
            m1.dropAllConnections();
            await().atMost(Duration.ofSeconds(5)).until(() -> c.state() == SessionState.LOST);
            assertTrue(m2.received(SessionStatesTest::isAttach).size() >= 1);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> sinceConnected(states).equals(List.of(SessionState.SUSPENDED, SessionState.LOST)));

            c.set("/a", bytes("v"), -1);
            assertEquals(SESSION + 1, m2.received(r -> r.op() instanceof Op.SetData).get(0).request().sessionId());
            await().atMost(Duration.ofSeconds(5)).until(() -> sinceConnected(states)
                    .equals(List.of(SessionState.SUSPENDED, SessionState.LOST, SessionState.CONNECTED)));
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void aMemberThatForgotTheAttachmentGetsItAgainAndTheWriteGoesThroughOnce() {
        StrictSessions sessions = new StrictSessions(SESSION, OPS);
        FakeMember m = FakeMember.start(sessions);
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m).openSession(true).sessionTtlMillis(3_000).build());
            sessions.forgetAttachments();
            c.set("/a", bytes("v"), -1);

            List<FakeMember.Received> sets = m.received(r -> r.op() instanceof Op.SetData);
            assertEquals(2, sets.size(), "refused once as not attached, then applied");
            RetryTest.assertSameRequest(sets.get(0).request(), sets.get(1).request());
            List<FakeMember.Received> all = m.received();
            int attach = all.indexOf(m.received(SessionStatesTest::isAttach).get(0));
            assertTrue(all.indexOf(sets.get(0)) < attach && attach < all.indexOf(sets.get(1)), "re-attached in between");
            assertEquals(1, m.connectionsAccepted(), "on the same connection");
            assertEquals(SessionState.CONNECTED, c.state());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void grantedSessionsAreRenewedCheckedAndClosedByIdAndSecretAndNeverByTheClientItself() {
        StrictSessions sessions = new StrictSessions(SESSION, OPS);
        FakeMember m = FakeMember.start(sessions);
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m).openSession(true).sessionTtlMillis(3_000).build());
            long own = c.session().orElseThrow().sessionId();
            SessionGrant grant = c.grantSession(2_000);
            assertEquals(new SessionGrant(own + 1, StrictSessions.SECRET, 2_000), grant);
            assertEquals(new SessionInfo(grant.sessionId(), 2_000), c.checkSession(grant.sessionId(), grant.secret()));

            c.keepAliveSession(grant.sessionId(), grant.secret());
            assertEquals(1, m.received(r -> r.command() instanceof Command.KeepAlive k
                    && k.sessionIds().equals(List.of(grant.sessionId()))).size());

            CoordinatorException wrong = assertThrows(CoordinatorException.class,
                    () -> c.keepAliveSession(grant.sessionId(), grant.secret() + 1));
            assertEquals(ErrorCode.UNAUTHORIZED, wrong.code());
            assertEquals(ErrorCode.UNAUTHORIZED, assertThrows(CoordinatorException.class,
                    () -> c.checkSession(grant.sessionId(), 7)).code());

            c.closeSession(grant.sessionId(), grant.secret());
            assertFalse(sessions.alive(grant.sessionId()));
            assertInstanceOf(CoordinatorException.SessionExpiredException.class,
                    assertThrows(CoordinatorException.class, () -> c.checkSession(grant.sessionId(), grant.secret())));
            assertInstanceOf(CoordinatorException.SessionExpiredException.class,
                    assertThrows(CoordinatorException.class, () -> c.keepAliveSession(grant.sessionId(), grant.secret())));

            // Another session's expiry is not the client's own.
            assertEquals(SessionState.CONNECTED, c.state());
            assertEquals(own, c.session().orElseThrow().sessionId());

            // Only the explicit calls renewed it (the last one found it gone), never the client's own upkeep.
            SessionGrant other = c.grantSession(2_000);
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(1_500));
            assertTrue(m.received(r -> r.command() instanceof Command.KeepAlive k && k.sessionIds().contains(own)).size() >= 1);
            assertEquals(0, m.received(r -> r.command() instanceof Command.KeepAlive k
                    && k.sessionIds().contains(other.sessionId())).size(), "the client never renews a grant itself");
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }
}

package io.coordinator.client;

import io.coordinator.client.fake.FakeMember;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.coordinator.client.ClientTestSupport.config;
import static io.coordinator.client.fake.Scripts.STAT;
import static io.coordinator.client.fake.Scripts.answering;
import static io.coordinator.client.fake.Scripts.bytes;
import static io.coordinator.client.fake.Scripts.withSessions;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client's session: opened at connect, kept alive, replaced after expiry, closed at close. */
class SessionTest {

    /**
     * Listeners hear states on the callback executor, so one added right after connect may or may not
     * still hear CONNECTED; what follows it is what these tests check.
     */
    private static List<SessionState> sinceConnected(List<SessionState> states) {
        List<SessionState> copy = List.copyOf(states);
        return !copy.isEmpty() && copy.get(0) == SessionState.CONNECTED ? copy.subList(1, copy.size()) : copy;
    }

    private static boolean is(FakeMember.Received r, Class<? extends Command> type) {
        return type.isInstance(r.command());
    }

    @Test
    void connectOpensASessionThatOwnsEphemeralCreates() {
        FakeMember m = FakeMember.start(withSessions(r -> r.reply(3, new Response.Created(r.op().path(), STAT))));
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m).openSession(true).sessionTtlMillis(6_000).build());
            assertEquals(SessionState.CONNECTED, client.state());
            FakeMember.Received open = m.received(r -> is(r, Command.OpenSession.class)).get(0);
            assertEquals(new Command.OpenSession(6_000, 0), open.command());
            assertEquals(new SessionInfo(0x77, 6_000), client.session().orElseThrow());

            client.create("/e", bytes("x"), CreateMode.EPHEMERAL);
            FakeMember.Received create = m.received(r -> r.op() instanceof Op.Create).get(0);
            assertEquals(0x77, create.request().sessionId());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void theSessionIsKeptAliveEveryThirdOfItsTtl() {
        FakeMember m = FakeMember.start(withSessions(answering("x")));
        Coordinator client = null;
        try {
            // A TTL long enough that a loaded machine's slow reply does not end the session (at 300 ms
            // it did, under two parallel builds, and the keep-alives stopped with it).
            client = Coordinator.connect(config(m).openSession(true).sessionTtlMillis(1_500).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> m.received(r -> is(r, Command.KeepAlive.class)).size() >= 3);
            FakeMember.Received keepAlive = m.received(r -> is(r, Command.KeepAlive.class)).get(0);
            assertEquals(new Command.KeepAlive(List.of(0x77L)), keepAlive.command());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void closeClosesTheSessionOnTheCluster() {
        FakeMember m = FakeMember.start(withSessions(answering("x")));
        Coordinator client = Coordinator.connect(config(m).openSession(true).build());
        try {
            client.close();
            List<FakeMember.Received> closes = m.received(r -> is(r, Command.CloseSession.class));
            assertEquals(1, closes.size());
            assertEquals(new Command.CloseSession(0x77, 42), closes.get(0).command());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void callsOnAClosedClientFailWithUnavailableAndChangeNothing() {
        FakeMember m = FakeMember.start(withSessions(answering("x")));
        Coordinator client = Coordinator.connect(config(m).openSession(true).build());
        try {
            client.close();
            int before = m.received(r -> true).size();
            Coordinator closed = client;
            CoordinatorException write = assertThrows(CoordinatorException.class,
                    () -> closed.set("/after-close", bytes("x")));
            assertEquals(ErrorCode.UNAVAILABLE, write.code());
            CoordinatorException txn = assertThrows(CoordinatorException.class,
                    () -> closed.txn().then(Ops.set("/after-close", bytes("x"), -1)).commit());
            assertEquals(ErrorCode.UNAVAILABLE, txn.code());
            assertEquals(before, m.received(r -> true).size());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void anExpiredSessionFailsItsWritesAndTheNextWriteGetsAFreshSession() {
        AtomicBoolean expireNextWrite = new AtomicBoolean(true);
        FakeMember m = FakeMember.start(withSessions(new AtomicLong(0x77), r -> {
            if (expireNextWrite.getAndSet(false)) {
                r.fail(ErrorCode.SESSION_EXPIRED, "session 0x77 expired");
            } else {
                r.reply(8, new Response.Updated(STAT));
            }
        }));
        List<SessionState> states = new CopyOnWriteArrayList<>();
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m).openSession(true).build());
            c.addStateListener(states::add);
            CoordinatorException e = assertThrows(CoordinatorException.class, () -> c.set("/a", bytes("v"), -1));
            assertInstanceOf(CoordinatorException.SessionExpiredException.class, e);
            await().atMost(Duration.ofSeconds(5)).until(() -> states.contains(SessionState.LOST));

            c.set("/a", bytes("v2"), -1);
            List<FakeMember.Received> sets = m.received(r -> r.op() instanceof Op.SetData);
            assertEquals(0x77, sets.get(0).request().sessionId());
            assertEquals(0x78, sets.get(1).request().sessionId());
            assertEquals(1, sets.get(1).request().sequence(), "a fresh session starts its own sequence");
            assertEquals(2, m.received(r -> is(r, Command.OpenSession.class)).size());
            // A fresh session is CONNECTED, not RECONNECTED: RECONNECTED is kept for the same session.
            await().atMost(Duration.ofSeconds(5)).until(() -> sinceConnected(states).equals(List.of(SessionState.LOST, SessionState.CONNECTED)));
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void aKeepAliveThatRenewsNothingMeansTheSessionIsLost() {
        AtomicBoolean known = new AtomicBoolean(true);
        FakeMember m = FakeMember.start(r -> {
            if (r.command() instanceof Command.KeepAlive) {
                r.reply(1, new Response.KeptAlive(known.get() ? 1 : 0));
            } else {
                withSessions(answering("x")).handle(r);
            }
        });
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m).openSession(true).sessionTtlMillis(300).build());
            known.set(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> c.state() == SessionState.LOST);
            assertTrue(c.session().isEmpty());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void aLostConnectionSuspendsAndAConfirmedSessionReconnects() {
        FakeMember m = FakeMember.start(withSessions(answering("x")));
        List<SessionState> states = new CopyOnWriteArrayList<>();
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m).openSession(true).sessionTtlMillis(600).build());
            c.addStateListener(states::add);
            m.dropAllConnections();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> sinceConnected(states).equals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED)));
            assertEquals(0x77, c.session().orElseThrow().sessionId(), "the same session survives");
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void connectFailsWithUnavailableWhenNoMemberGrantsASession() {
        FakeMember m = FakeMember.start(r -> r.fail(ErrorCode.UNAVAILABLE, "no quorum"));
        try {
            CoordinatorException e = assertThrows(CoordinatorException.class,
                    () -> Coordinator.connect(config(m).openSession(true).requestTimeoutMillis(300).build()));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
        } finally {
            ClientTestSupport.closeAll(m);
        }
    }
}

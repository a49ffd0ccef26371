package io.coordinator.client;

import io.coordinator.client.fake.FakeMember;
import io.coordinator.client.fake.FakeTree;
import io.coordinator.client.fake.FakeWatches;
import io.coordinator.client.fake.StrictSessions;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.WatchKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.ClientTestSupport.config;
import static io.coordinator.client.fake.Scripts.STAT;
import static io.coordinator.client.fake.Scripts.answering;
import static io.coordinator.client.fake.Scripts.bytes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What moves when a call gives up on a member, and what stays: new calls go to the next member at
 * once; calls already in flight on the old connection keep waiting for their answers there (up to
 * their own attempt timeouts), and the connection closes once they have them; watches that lived on
 * it then resume elsewhere. (Bug P2 of jepsen-tests/README.md.)
 */
class MoveTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static boolean isSet(FakeMember.Received r) {
        return r.op() instanceof Op.SetData;
    }

    private static boolean isGet(FakeMember.Received r) {
        return r.op() instanceof Op.Get;
    }

    @Test
    void aWriteInFlightGetsItsAnswerWhenAnotherCallOnItsConnectionGetsUnavailableAndNewCallsGoToTheNextMember() {
        List<FakeMember.Received> held = new CopyOnWriteArrayList<>();
        FakeMember m1 = FakeMember.start(held::add);
        FakeMember m2 = FakeMember.start(answering("from-m2"));
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m1, m2).build());
            CompletableFuture<GetResult> get = client.async().get("/x");
            CompletableFuture<Stat> set = client.async().set("/y", bytes("v"), -1);
            await().atMost(WAIT).until(() -> held.size() == 2);
            FakeMember.Received heldGet = held.stream().filter(MoveTest::isGet).findFirst().orElseThrow();
            FakeMember.Received heldSet = held.stream().filter(MoveTest::isSet).findFirst().orElseThrow();

            heldGet.fail(ErrorCode.UNAVAILABLE, "no quorum here");
            assertEquals("from-m2", get.join().dataUtf8(), "the read moved to the next member");
            assertEquals("from-m2", client.get("/z").dataUtf8(), "a new call goes to the next member");
            assertEquals(2, m2.receivedOps().size());

            assertFalse(set.isDone(), "the write is still waiting for m1's answer: " + set);
            assertTrue(heldSet.channel().isActive(), "the connection to m1 stays open while the write is in flight");
            Stat applied = new Stat(7, 8, 2, 0, 0, 1, 0, 100, 200);
            heldSet.reply(8, new Response.Updated(applied));
            assertEquals(applied, set.orTimeout(10, TimeUnit.SECONDS).join(), "the write's real answer, not TIMEOUT");
            assertTrue(m2.received(MoveTest::isSet).isEmpty(), "the write went out once");

            await().atMost(WAIT).until(() -> !heldSet.channel().isActive());
            assertEquals(1, m1.connectionsAccepted());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    /** Bug P2's reproduction against a fake: one endpoint, no session, one attempt per call. */
    @Test
    void withOneEndpointAndOneAttemptTheWriteBesideAnUnavailableReadStillGetsItsAnswer() {
        List<FakeMember.Received> held = new CopyOnWriteArrayList<>();
        FakeMember m = FakeMember.start(held::add);
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m).retryAttemptsMax(1).build());
            CompletableFuture<GetResult> get = client.async().get("/x");
            CompletableFuture<Stat> set = client.async().set("/y", bytes("v"), -1);
            await().atMost(WAIT).until(() -> held.size() == 2);
            held.stream().filter(MoveTest::isGet).findFirst().orElseThrow().fail(ErrorCode.UNAVAILABLE, "no quorum");
            CoordinatorException e = failureOf(get);
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertFalse(set.isDone(), "the write still waits for its answer");
            held.stream().filter(MoveTest::isSet).findFirst().orElseThrow().reply(8, new Response.Updated(STAT));
            assertEquals(STAT, set.orTimeout(10, TimeUnit.SECONDS).join());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void aSilentCallOnTheOldConnectionEndsAtItsOwnAttemptTimeoutAndThenTheConnectionCloses() {
        List<FakeMember.Received> held = new CopyOnWriteArrayList<>();
        FakeMember m1 = FakeMember.start(held::add);
        FakeMember m2 = FakeMember.start(answering("from-m2"));
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m1, m2).attemptTimeoutMillis(600).build());
            CompletableFuture<GetResult> get = client.async().get("/x");
            CompletableFuture<Stat> set = client.async().set("/y", bytes("v"), -1);
            await().atMost(WAIT).until(() -> held.size() == 2);
            FakeMember.Received heldSet = held.stream().filter(MoveTest::isSet).findFirst().orElseThrow();
            held.stream().filter(MoveTest::isGet).findFirst().orElseThrow().fail(ErrorCode.UNAVAILABLE, "no quorum");
            assertEquals("from-m2", get.join().dataUtf8());

            // m1 never answers the write: its own attempt timeout ends it (outcome unknown), then the
            // connection, with nothing left in flight, closes.
            CoordinatorException e = failureOf(set);
            assertEquals(ErrorCode.TIMEOUT, e.code());
            assertTrue(e.getMessage().contains("no answer from"), e.getMessage());
            await().atMost(WAIT).until(() -> !heldSet.channel().isActive());
            assertTrue(m2.received(MoveTest::isSet).isEmpty());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void aWatchStaysOnTheOldConnectionUntilItClosesThenResumesOnTheNextMemberMissingNothing() {
        List<FakeMember.Received> held = new CopyOnWriteArrayList<>();
        FakeWatches w1 = new FakeWatches(held::add);
        FakeWatches w2 = new FakeWatches(new FakeTree("m2"));
        FakeMember m1 = FakeMember.start(w1);
        FakeMember m2 = FakeMember.start(w2);
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m1, m2).build());
            List<Long> revisions = new CopyOnWriteArrayList<>();
            client.watch("/k", WatchKind.PERSISTENT, new WatchListener() {
                @Override
                public void onEvents(WatchEvents events) {
                    revisions.add(events.revision());
                }

                @Override
                public void onError(CoordinatorException error) {
                    revisions.add(-1L);
                }
            });
            apply(1, w1, w2);
            await().atMost(WAIT).until(() -> revisions.equals(List.of(1L)));

            CompletableFuture<GetResult> get = client.async().get("/x");
            CompletableFuture<Stat> set = client.async().set("/y", bytes("v"), -1);
            await().atMost(WAIT).until(() -> held.size() == 2);
            FakeMember.Received heldSet = held.stream().filter(MoveTest::isSet).findFirst().orElseThrow();
            held.stream().filter(MoveTest::isGet).findFirst().orElseThrow().fail(ErrorCode.UNAVAILABLE, "no quorum");
            await().atMost(WAIT).until(get::isDone); // on m2, whose tree has no /x

            // Still on m1 while the write is in flight there: its events keep coming from m1.
            apply(2, w1, w2);
            await().atMost(WAIT).until(() -> revisions.equals(List.of(1L, 2L)));
            assertEquals(1, w1.watchRequests().size());
            assertTrue(w2.watchRequests().isEmpty());

            heldSet.reply(8, new Response.Updated(STAT));
            set.join();
            await().atMost(WAIT).until(() -> w2.watchRequests().size() == 1);
            assertEquals(3, w2.watchRequests().get(0).fromRevision(), "resumed after the last revision heard");
            apply(3, w1, w2);
            await().atMost(WAIT).until(() -> revisions.equals(List.of(1L, 2L, 3L)));
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    @Test
    void theSessionMovesAtOnceWhileItsWriteInFlightOnTheOldMemberKeepsItsAnswer() {
        long sessionId = 0x51;
        List<FakeMember.Received> held = new CopyOnWriteArrayList<>();
        StrictSessions sessions = new StrictSessions(sessionId, answering("from-m2"));
        FakeMember m1 = FakeMember.start(r -> {
            if (r.isSessionCommand()) {
                sessions.handle(r);
            } else {
                held.add(r);
            }
        });
        FakeMember m2 = FakeMember.start(sessions);
        List<SessionState> states = new CopyOnWriteArrayList<>();
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m1, m2).openSession(true).sessionTtlMillis(3_000).build());
            c.addStateListener(states::add);
            CompletableFuture<GetResult> get = c.async().get("/x");
            CompletableFuture<Stat> set = c.async().set("/y", bytes("v"), -1);
            await().atMost(WAIT).until(() -> held.size() == 2);
            FakeMember.Received heldSet = held.stream().filter(MoveTest::isSet).findFirst().orElseThrow();
            held.stream().filter(MoveTest::isGet).findFirst().orElseThrow().fail(ErrorCode.UNAVAILABLE, "no quorum");
            assertEquals("from-m2", get.join().dataUtf8());

            // The session is attached and renewed on m2 right away, though m1 still owes an answer.
            await().atMost(WAIT).until(() -> states.contains(SessionState.RECONNECTED));
            assertTrue(states.indexOf(SessionState.SUSPENDED) < states.indexOf(SessionState.RECONNECTED), states.toString());
            assertEquals(1, m2.received(r -> r.message() instanceof ClientMessage.AttachSession).size());
            assertTrue(m2.received(r -> r.command() instanceof Command.KeepAlive).size() >= 1);
            assertFalse(set.isDone());

            heldSet.reply(8, new Response.Updated(STAT));
            assertEquals(STAT, set.orTimeout(10, TimeUnit.SECONDS).join());
            assertEquals(sessionId, heldSet.request().sessionId());
            assertTrue(m2.received(MoveTest::isSet).isEmpty(), "answered once, never resent");
            await().atMost(WAIT).until(() -> !heldSet.channel().isActive());
            // Its close does not suspend the session again: the client had already left that member.
            int heard = states.size();
            assertEquals(SessionState.RECONNECTED, states.get(heard - 1), states.toString());
            assertEquals(sessionId, c.session().orElseThrow().sessionId());
        } finally {
            ClientTestSupport.closeAll(client, m1, m2);
        }
    }

    private static void apply(long revision, FakeWatches... members) {
        for (FakeWatches m : members) {
            m.apply(revision, new WatchEvent(WatchEvent.Type.DATA_CHANGED, "/k", revision, STAT, null));
        }
    }

    private static CoordinatorException failureOf(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof CoordinatorException ce) {
                return ce;
            }
            throw new AssertionError("not a CoordinatorException", e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("completed normally");
    }
}

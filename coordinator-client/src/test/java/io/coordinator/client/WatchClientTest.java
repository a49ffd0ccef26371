package io.coordinator.client;

import io.coordinator.client.fake.FakeMember;
import io.coordinator.client.fake.FakeTree;
import io.coordinator.client.fake.FakeWatches;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchCompactedException;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.client.watch.Watched;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static io.coordinator.client.ClientTestSupport.closeAll;
import static io.coordinator.client.ClientTestSupport.config;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's watches against scripted members: delivery, resumption on another member from the
 * last revision received, and what ends a watch.
 */
class WatchClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Stat STAT = new Stat(1, 1, 0, 0, 0, 0, 0, 0, 0);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanup() {
        closeAll(resources.toArray(AutoCloseable[]::new));
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }

    private FakeMember member(FakeWatches watches) {
        return keep(FakeMember.start(watches));
    }

    private static WatchEvent event(WatchEvent.Type type, String path, long revision) {
        return new WatchEvent(type, path, revision, STAT, null);
    }

    /** Applies revisions to several members at once: a replicated history. */
    private static void applyAll(long revision, String path, FakeWatches... members) {
        for (FakeWatches m : members) {
            m.apply(revision, event(WatchEvent.Type.DATA_CHANGED, path, revision));
        }
    }

    /** Records what a listener hears, and on which threads. */
    static final class Recorder implements WatchListener {
        final List<WatchEvents> events = new CopyOnWriteArrayList<>();
        final List<CoordinatorException> errors = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onEvents(WatchEvents e) {
            threads.add(Thread.currentThread().getName());
            events.add(e);
        }

        @Override
        public void onError(CoordinatorException error) {
            errors.add(error);
        }

        List<Long> revisions() {
            return events.stream().map(WatchEvents::revision).toList();
        }
    }

    @Test
    void aWatchDeliversEachRevisionOnceInOrderOnTheCallbackExecutor() {
        FakeWatches watches = new FakeWatches(new FakeTree("m1"));
        FakeMember m1 = member(watches);
        Coordinator client = keep(Coordinator.connect(config(m1).build()));
        Recorder heard = new Recorder();
        Watch watch = client.watch("/a", WatchKind.PERSISTENT_RECURSIVE, heard);
        assertTrue(watch.isActive());
        assertEquals(1, watch.fromRevision());
        for (long r = 1; r <= 20; r++) {
            watches.apply(r, event(WatchEvent.Type.DATA_CHANGED, r % 2 == 0 ? "/a/x" : "/b", r));
        }
        await().atMost(WAIT).until(() -> heard.events.size() == 10);
        assertEquals(List.of(2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L, 20L), heard.revisions());
        assertTrue(heard.threads.stream().allMatch(t -> t.startsWith("coordinator-client-callback")), heard.threads.toString());
        assertEquals(20, watch.lastRevision());
        assertTrue(client.lastRevision() >= 20, "a watch event counts as a revision the client has seen");
    }

    @Test
    void aWatchFromAPastRevisionReplaysTheMembersHistoryFirst() {
        FakeWatches watches = new FakeWatches(new FakeTree("m1"));
        FakeMember m1 = member(watches);
        for (long r = 1; r <= 5; r++) {
            applyAll(r, "/k", watches);
        }
        Coordinator client = keep(Coordinator.connect(config(m1).build()));
        Recorder heard = new Recorder();
        client.watch("/k", WatchKind.PERSISTENT, 3, heard);
        applyAll(6, "/k", watches);
        await().atMost(WAIT).until(() -> heard.events.size() == 4);
        assertEquals(List.of(3L, 4L, 5L, 6L), heard.revisions());
    }

    @Test
    void whenItsMemberGoesTheWatchResumesOnTheNextFromTheRevisionAfterTheLastItReceived() {
        FakeWatches a = new FakeWatches(new FakeTree("a"));
        FakeWatches b = new FakeWatches(new FakeTree("b"));
        FakeMember ma = member(a);
        FakeMember mb = member(b);
        b.replayOneEarlier(true); // a careless member repeats a revision: the client must not
        Coordinator client = keep(Coordinator.connect(config(ma, mb).build()));
        Recorder heard = new Recorder();
        Watch watch = client.watch("/", WatchKind.PERSISTENT_RECURSIVE, heard);
        for (long r = 1; r <= 3; r++) {
            applyAll(r, "/k", a, b);
        }
        await().atMost(WAIT).until(() -> heard.events.size() == 3);
        ma.close();
        // Meanwhile the cluster moves on; b has it all.
        for (long r = 4; r <= 6; r++) {
            applyAll(r, "/k", b);
        }
        await().atMost(WAIT).until(() -> heard.events.size() == 6);
        applyAll(7, "/k", b);
        await().atMost(WAIT).until(() -> heard.events.size() == 7);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), heard.revisions());
        assertEquals(List.of(new ClientMessage.Watch("/", WatchKind.PERSISTENT_RECURSIVE, 4)), b.watchRequests());
        assertTrue(watch.isActive());
        assertTrue(heard.errors.isEmpty());
    }

    @Test
    void aWatchFromNowThatHeardNothingResumesFromWhereItFirstStarted() {
        FakeWatches a = new FakeWatches(new FakeTree("a"));
        FakeWatches b = new FakeWatches(new FakeTree("b"));
        for (long r = 1; r <= 10; r++) {
            applyAll(r, "/other", a, b);
        }
        FakeMember ma = member(a);
        FakeMember mb = member(b);
        Coordinator client = keep(Coordinator.connect(config(ma, mb).build()));
        Recorder heard = new Recorder();
        Watch watch = client.watch("/k", WatchKind.PERSISTENT, heard);
        assertEquals(11, watch.fromRevision());
        applyAll(11, "/other", b);
        applyAll(12, "/k", b);
        ma.close();
        await().atMost(WAIT).until(() -> heard.events.size() == 1);
        assertEquals(List.of(12L), heard.revisions());
        assertEquals(11, b.watchRequests().get(0).fromRevision());
    }

    @Test
    void aOneShotIsResumedUntilItFiresAndNeverAfter() {
        FakeWatches a = new FakeWatches(new FakeTree("a"));
        FakeWatches b = new FakeWatches(new FakeTree("b"));
        FakeMember ma = member(a);
        FakeMember mb = member(b);
        Coordinator client = keep(Coordinator.connect(config(ma, mb).build()));
        Recorder pending = new Recorder();
        Recorder fired = new Recorder();
        client.watch("/p", WatchKind.DATA, pending);
        Watch once = client.watch("/f", WatchKind.DATA, fired);
        applyAll(1, "/f", a, b);
        await().atMost(WAIT).until(() -> fired.events.size() == 1);
        assertFalse(once.isActive());
        ma.close();
        await().atMost(WAIT).until(() -> b.watchRequests().size() == 1);
        assertEquals(new ClientMessage.Watch("/p", WatchKind.DATA, 1), b.watchRequests().get(0));
        applyAll(2, "/p", b);
        applyAll(3, "/p", b);
        applyAll(4, "/f", b);
        await().atMost(WAIT).until(() -> pending.events.size() == 1);
        assertEquals(List.of(2L), pending.revisions());
        assertEquals(List.of(1L), fired.revisions());
    }

    @Test
    void aResumeThatFindsTheRevisionsCompactedEndsTheWatchWithCompactedAndTheOldestRevision() {
        FakeWatches a = new FakeWatches(new FakeTree("a"));
        FakeWatches b = new FakeWatches(new FakeTree("b"));
        FakeMember ma = member(a);
        FakeMember mb = member(b);
        Coordinator client = keep(Coordinator.connect(config(ma, mb).build()));
        Recorder heard = new Recorder();
        Watch watch = client.watch("/k", WatchKind.PERSISTENT, heard);
        applyAll(1, "/k", a, b);
        await().atMost(WAIT).until(() -> heard.events.size() == 1);
        for (long r = 2; r <= 9; r++) {
            applyAll(r, "/k", b);
        }
        b.compactBelow(5);
        ma.close();
        await().atMost(WAIT).until(() -> heard.errors.size() == 1);
        WatchCompactedException compacted = (WatchCompactedException) heard.errors.get(0);
        assertEquals(ErrorCode.COMPACTED, compacted.code());
        assertEquals(5, compacted.oldestRevision());
        assertFalse(watch.isActive());
        assertEquals(List.of(1L), heard.revisions());
    }

    @Test
    void aWatchFromACompactedRevisionFailsToStartWithTheOldestRevision() {
        FakeWatches watches = new FakeWatches(new FakeTree("m1"));
        for (long r = 1; r <= 9; r++) {
            applyAll(r, "/k", watches);
        }
        watches.compactBelow(7);
        Coordinator client = keep(Coordinator.connect(config(member(watches)).build()));
        WatchCompactedException e = assertThrows(WatchCompactedException.class,
                () -> client.watch("/k", WatchKind.PERSISTENT, 2, new Recorder()));
        assertEquals(7, e.oldestRevision());
        assertEquals(0, watches.liveCount());
    }

    @Test
    void aMemberBehindTheRevisionIsLeftForOneThatHasIt() {
        FakeWatches lagging = new FakeWatches(new FakeTree("a"));
        FakeWatches current = new FakeWatches(new FakeTree("b"));
        for (long r = 1; r <= 5; r++) {
            applyAll(r, "/k", current);
        }
        Coordinator client = keep(Coordinator.connect(config(member(lagging), member(current)).build()));
        Recorder heard = new Recorder();
        client.watch("/k", WatchKind.PERSISTENT, 5, heard);
        await().atMost(WAIT).until(() -> heard.events.size() == 1);
        assertEquals(List.of(5L), heard.revisions());
        assertEquals(1, lagging.watchRequests().size());
    }

    @Test
    void aRevisionSplitOverSeveralFramesReachesTheListenerWhole() {
        FakeWatches watches = new FakeWatches(new FakeTree("m1"));
        Coordinator client = keep(Coordinator.connect(config(member(watches)).build()));
        Recorder heard = new Recorder();
        client.watch("/big", WatchKind.PERSISTENT_RECURSIVE, heard);
        watches.pushRaw(1, List.of(event(WatchEvent.Type.CREATED, "/big/1", 1)), true);
        watches.pushRaw(1, List.of(event(WatchEvent.Type.CREATED, "/big/2", 1)), true);
        watches.pushRaw(1, List.of(event(WatchEvent.Type.CREATED, "/big/3", 1)), false);
        watches.pushRaw(2, List.of(event(WatchEvent.Type.DELETED, "/big/1", 2)), false);
        await().atMost(WAIT).until(() -> heard.events.size() == 2);
        assertEquals(List.of("/big/1", "/big/2", "/big/3"),
                heard.events.get(0).events().stream().map(WatchEvent::path).toList());
    }

    @Test
    void closingAWatchTellsTheMemberAndStopsDelivery() {
        FakeWatches watches = new FakeWatches(new FakeTree("m1"));
        Coordinator client = keep(Coordinator.connect(config(member(watches)).build()));
        Recorder heard = new Recorder();
        Watch watch = client.watch("/k", WatchKind.PERSISTENT, heard);
        watch.close();
        assertFalse(watch.isActive());
        await().atMost(WAIT).until(() -> watches.unwatched().size() == 1);
        assertEquals(0, watches.liveCount());
        applyAll(1, "/k", watches);
        Recorder other = new Recorder();
        client.watch("/k", WatchKind.PERSISTENT, 1, other);
        await().atMost(WAIT).until(() -> other.events.size() == 1);
        assertTrue(heard.events.isEmpty());
    }

    @Test
    void aWatchEndedByTheMemberAsUnavailableIsResumedRightAway() {
        FakeWatches watches = new FakeWatches(new FakeTree("m1"));
        Coordinator client = keep(Coordinator.connect(config(member(watches)).build()));
        Recorder heard = new Recorder();
        client.watch("/k", WatchKind.PERSISTENT, heard);
        applyAll(1, "/k", watches);
        await().atMost(WAIT).until(() -> heard.events.size() == 1);
        watches.endAll(ErrorCode.UNAVAILABLE);
        await().atMost(WAIT).until(() -> watches.watchRequests().size() == 2);
        assertEquals(2, watches.watchRequests().get(1).fromRevision());
        applyAll(2, "/k", watches);
        await().atMost(WAIT).until(() -> heard.events.size() == 2);
        assertTrue(heard.errors.isEmpty());
    }

    @Test
    void anEventReachesTheWatchBeforeTheAnswerOfALaterWriteCompletes() {
        AtomicLong revision = new AtomicLong();
        FakeWatches[] self = new FakeWatches[1];
        self[0] = new FakeWatches(r -> {
            if (r.command() instanceof Command.Execute e && e.op().isWrite()) {
                long rev = revision.incrementAndGet();
                self[0].apply(rev, event(WatchEvent.Type.DATA_CHANGED, e.op().path(), rev));
                FakeWatches.reply(r, new ServerMessage.Reply(rev, new Response.Updated(STAT)));
            } else {
                FakeWatches.reply(r, new ServerMessage.Reply(revision.get(), new Response.ExistsResult(STAT)));
            }
        });
        Coordinator client = keep(Coordinator.connect(config(member(self[0])).build()));
        Watch watch = client.watch("/k", WatchKind.PERSISTENT, new Recorder());
        for (int i = 0; i < 50; i++) {
            client.set("/k", new byte[]{(byte) i});
            assertEquals(revision.get(), watch.lastRevision(), "the answer completed before the event arrived");
        }
    }

    @Test
    void getAndWatchWatchesFromTheRevisionAfterTheRead() {
        FakeTree tree = new FakeTree("m1");
        FakeWatches watches = new FakeWatches(tree);
        Coordinator client = keep(Coordinator.connect(config(member(watches)).build()));
        client.create("/g", new byte[]{1}, io.coordinator.core.api.CreateMode.PERSISTENT);
        for (long r = 1; r <= tree.revision(); r++) {
            applyAll(r, "/elsewhere", watches); // the watch side of the fake keeps up with its tree
        }
        Watched<GetResult> got = client.getAndWatch("/g", new Recorder());
        assertEquals(got.result().revision() + 1, watches.watchRequests().get(0).fromRevision());
        assertEquals(WatchKind.DATA, got.watch().kind());
        assertThrows(CoordinatorException.NoNodeException.class, () -> client.getAndWatch("/missing", new Recorder()));
        assertEquals(1, watches.watchRequests().size());
        Watched<java.util.Optional<Stat>> exists = client.existsAndWatch("/missing", new Recorder());
        assertTrue(exists.result().isEmpty());
        assertEquals(WatchKind.EXISTS, watches.watchRequests().get(1).kind());
    }
}

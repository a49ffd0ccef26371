package io.coordinator.server.watch;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.support.InProcessCluster;
import io.coordinator.server.support.WatchSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Watches on three real members, spoken to over the binary protocol: order, completeness, replay,
 * one-shots, and the ordering of events against answers on one connection, on the leader and on
 * followers alike.
 */
class WatchMembersTest {
    private static InProcessCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = InProcessCluster.start(3);
        for (int i = 0; i < cluster.size(); i++) {
            int member = i;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                try (WatchSocket socket = new WatchSocket(cluster.clientAddress(member))) {
                    return socket.call(exists("/")).response() instanceof Response.ExistsResult
                            && socket.answer(socket.watch("/", WatchKind.PERSISTENT, 0)) instanceof ServerMessage.WatchStarted;
                }
            });
        }
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Command.ClientCommand exists(String path) {
        return new Command.Execute(new Op.Exists(path));
    }

    private static Command.ClientCommand create(String path, String data) {
        return new Command.Execute(new Op.Create(path, bytes(data), CreateMode.PERSISTENT, 0));
    }

    private static Command.ClientCommand set(String path, String data) {
        return new Command.Execute(new Op.SetData(path, bytes(data), -1));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Long> revisions(List<ServerMessage.WatchNotification> notifications) {
        return notifications.stream().map(ServerMessage.WatchNotification::revision).toList();
    }

    private static void assertOk(ServerMessage.Reply reply) {
        assertTrue(!(reply.response() instanceof Response.Failure), () -> "failed: " + reply);
    }

    @Test
    void aRecursiveWatchSeesEveryRevisionOfManyWritesInOrderWithoutGapsOrDuplicates() throws IOException {
        try (WatchSocket watcher = new WatchSocket(cluster.clientAddress(0));
             WatchSocket writer = new WatchSocket(cluster.clientAddress(1))) {
            long watch = watcher.watch("/many", WatchKind.PERSISTENT_RECURSIVE, 0);
            assertInstanceOf(ServerMessage.WatchStarted.class, watcher.answer(watch));
            // Pipelined writes may be applied in any order (several log entries are in flight), so
            // every write here succeeds in any order: parents first, then the sets.
            List<Long> written = new ArrayList<>();
            ServerMessage.Reply parent = writer.call(create("/many", ""));
            assertOk(parent);
            written.add(parent.revision());
            List<Command.ClientCommand> creates = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                creates.add(create("/many/n" + i, "v0"));
            }
            List<Command.ClientCommand> sets = new ArrayList<>();
            for (int round = 1; round <= 5; round++) {
                for (int i = 0; i < 40; i++) {
                    sets.add(set("/many/n" + i, "v" + round));
                }
            }
            for (List<Command.ClientCommand> writes : List.of(creates, sets)) {
                for (ServerMessage.Reply reply : writer.pipelined(writes)) {
                    assertOk(reply);
                    written.add(reply.revision());
                }
            }
            long last = written.stream().mapToLong(Long::longValue).max().orElseThrow();
            List<ServerMessage.WatchNotification> seen = watcher.readUntil(watch,
                    n -> !n.isEmpty() && n.get(n.size() - 1).revision() >= last);
            assertEquals(written.stream().sorted().toList(), revisions(seen));
            for (ServerMessage.WatchNotification n : seen) {
                assertTrue(n.events().stream().allMatch(e -> e.revision() == n.revision()));
            }
        }
    }

    @Test
    void aWatchFromAPastRevisionReplaysEveryLaterChangeFromTheHistory() throws IOException {
        try (WatchSocket socket = new WatchSocket(cluster.clientAddress(2))) {
            assertOk(socket.call(create("/past", "0")));
            List<Long> written = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                ServerMessage.Reply reply = socket.call(set("/past", Integer.toString(i)));
                assertOk(reply);
                written.add(reply.revision());
            }
            long watch = socket.watch("/past", WatchKind.PERSISTENT, written.get(5));
            ServerMessage.WatchStarted started = assertInstanceOf(ServerMessage.WatchStarted.class, socket.answer(watch));
            assertEquals(written.get(5), started.fromRevision());
            List<ServerMessage.WatchNotification> seen = socket.readUntil(watch, n -> n.size() >= 15);
            assertEquals(written.subList(5, 20), revisions(seen));
            assertArrayEquals(bytes("6"), seen.get(0).events().get(0).data());
        }
    }

    /**
     * On every member (the leader and followers): each answer of a write comes after the event of
     * its revision on the same connection, and a serializable read that follows sees the write.
     */
    @Test
    void anEventPrecedesTheAnswerOfALaterRevisionOnTheSameConnectionOnEveryMember() throws IOException {
        for (int member = 0; member < cluster.size(); member++) {
            String path = "/order" + member;
            try (WatchSocket socket = new WatchSocket(cluster.clientAddress(member))) {
                long watch = socket.watch(path, WatchKind.PERSISTENT_RECURSIVE, 0);
                assertOk(socket.call(create(path, "")));
                for (int i = 0; i < 25; i++) {
                    ServerMessage.Reply reply = socket.call(create(path + "/c" + i, "x" + i));
                    assertOk(reply);
                    long revision = reply.revision();
                    assertTrue(revisions(socket.notifications(watch)).contains(revision),
                            "member " + member + ": the answer of revision " + revision + " came before its event");
                    ServerMessage.Reply read = socket.call(new Command.Execute(new Op.Get(path + "/c" + i)),
                            Consistency.SERIALIZABLE, 0);
                    assertArrayEquals(bytes("x" + i), ((Response.Data) read.response()).data(),
                            "member " + member + " did not read its own write");
                }
            }
        }
    }

    @Test
    void aOneShotDataWatchSetByAReadFiresOnceForTheNextChange() throws IOException {
        try (WatchSocket socket = new WatchSocket(cluster.clientAddress(1))) {
            assertOk(socket.call(create("/once", "a")));
            ServerMessage.Reply read = socket.call(new Command.Execute(new Op.Get("/once")));
            long watch = socket.watch("/once", WatchKind.DATA, read.revision() + 1);
            assertInstanceOf(ServerMessage.WatchStarted.class, socket.answer(watch));
            long first = socket.call(set("/once", "b")).revision();
            socket.call(set("/once", "c"));
            socket.call(new Command.Execute(new Op.Delete("/once", -1, false)));
            List<ServerMessage.WatchNotification> seen = socket.notifications(watch);
            assertEquals(List.of(first), revisions(seen));
            assertEquals(WatchEvent.Type.DATA_CHANGED, seen.get(0).events().get(0).type());
            assertEquals(new ServerMessage.Unwatched(watch, false), socket.unwatch(watch));
        }
    }

    @Test
    void afterUnwatchNoMoreEventsCome() throws IOException {
        try (WatchSocket socket = new WatchSocket(cluster.clientAddress(0))) {
            long watch = socket.watch("/gone", WatchKind.EXISTS, 0);
            assertEquals(new ServerMessage.Unwatched(watch, true), socket.unwatch(watch));
            socket.call(create("/gone", ""));
            assertTrue(socket.notifications(watch).isEmpty());
        }
    }

    @Test
    void aWatchFromTheFutureFailsWithBadArgumentsAfterABoundedWait() throws IOException {
        try (WatchSocket socket = new WatchSocket(cluster.clientAddress(0))) {
            long revision = socket.call(exists("/")).revision();
            long watch = socket.watch("/", WatchKind.PERSISTENT, revision + 1_000_000);
            ServerMessage.WatchFailed failed = assertInstanceOf(ServerMessage.WatchFailed.class, socket.answer(watch));
            assertEquals(ErrorCode.BAD_ARGUMENTS, failed.code());
            assertTrue(failed.message().contains("revision from the future"), failed.message());
        }
    }
}

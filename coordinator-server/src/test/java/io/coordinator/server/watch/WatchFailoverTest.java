package io.coordinator.server.watch;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.support.InProcessCluster;
import io.coordinator.server.support.WatchSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The member side of "a client that moves to another member resumes its watches from its last
 * seen revision with nothing missed": every member's history has the same revisions, so a watch
 * resumed elsewhere from last + 1 continues exactly, while writes go on through another member.
 */
class WatchFailoverTest {
    private InProcessCluster cluster;
    private Thread writer;
    private final AtomicBoolean writing = new AtomicBoolean(true);

    @BeforeEach
    void startCluster() throws Exception {
        cluster = InProcessCluster.start(3);
        for (int i = 0; i < cluster.size(); i++) {
            int member = i;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                try (WatchSocket socket = new WatchSocket(cluster.clientAddress(member))) {
                    return socket.call(new Command.Execute(new Op.Exists("/"))).response() instanceof Response.ExistsResult
                            && socket.answer(socket.watch("/", WatchKind.PERSISTENT, 0)) instanceof ServerMessage.WatchStarted;
                }
            });
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        writing.set(false);
        if (writer != null) {
            writer.join(20_000);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aWatchResumedOnAnotherMemberFromLastPlusOneMissesNothingAndRepeatsNothing() throws Exception {
        Set<Long> acked = new ConcurrentSkipListSet<>();
        try (WatchSocket setup = new WatchSocket(cluster.clientAddress(1))) {
            setup.call(new Command.Execute(new Op.Create("/fo", new byte[0], CreateMode.PERSISTENT, 0)));
        }
        writer = new Thread(() -> write(acked), "writer");
        writer.start();

        List<ServerMessage.WatchNotification> seen = new ArrayList<>();
        try (WatchSocket first = new WatchSocket(cluster.clientAddress(0))) {
            long watch = first.watch("/fo", WatchKind.PERSISTENT_RECURSIVE, 0);
            assertInstanceOf(ServerMessage.WatchStarted.class, first.answer(watch));
            seen.addAll(first.readUntil(watch, n -> n.size() >= 30));
        }
        cluster.stop(0);
        long last = seen.get(seen.size() - 1).revision();
        int ackedAtFailover = acked.size();

        try (WatchSocket second = new WatchSocket(cluster.clientAddress(2))) {
            long watch = second.watch("/fo", WatchKind.PERSISTENT_RECURSIVE, last + 1);
            assertInstanceOf(ServerMessage.WatchStarted.class, second.answer(watch));
            await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= ackedAtFailover + 30);
            writing.set(false);
            writer.join(20_000);
            long lastAcked = acked.stream().mapToLong(Long::longValue).max().orElseThrow();
            seen.addAll(second.readUntil(watch, n -> !n.isEmpty() && n.get(n.size() - 1).revision() >= lastAcked));

            List<Long> revisions = seen.stream().map(ServerMessage.WatchNotification::revision).toList();
            for (int i = 1; i < revisions.size(); i++) {
                assertTrue(revisions.get(i) > revisions.get(i - 1), "out of order or repeated at " + i + ": " + revisions);
            }
            long from = revisions.get(0);
            for (long revision : acked) {
                if (revision >= from) {
                    assertTrue(revisions.contains(revision), "acknowledged revision " + revision + " never came");
                }
            }
            // Nothing missed: a fresh replay over the same range on the surviving member gives the same revisions.
            long check = second.watch("/fo", WatchKind.PERSISTENT_RECURSIVE, from);
            List<ServerMessage.WatchNotification> replay = second.readUntil(check,
                    n -> !n.isEmpty() && n.get(n.size() - 1).revision() >= revisions.get(revisions.size() - 1));
            assertEquals(revisions, replay.stream().map(ServerMessage.WatchNotification::revision).toList());
        }
    }

    /** Sets /fo/k over and over through member 1, which stays up; keeps the revisions it got answers for. */
    private void write(Set<Long> acked) {
        int i = 0;
        while (writing.get()) {
            try (WatchSocket socket = new WatchSocket(cluster.clientAddress(1))) {
                socket.call(new Command.Execute(new Op.Create("/fo/k", new byte[0], CreateMode.PERSISTENT, 0)));
                while (writing.get()) {
                    ServerMessage.Reply reply = socket.call(new Command.Execute(
                            new Op.SetData("/fo/k", Integer.toString(i++).getBytes(), -1)));
                    if (!(reply.response() instanceof Response.Failure)) {
                        acked.add(reply.revision());
                    }
                }
            } catch (IOException e) {
                // reconnect and go on
            }
        }
    }
}

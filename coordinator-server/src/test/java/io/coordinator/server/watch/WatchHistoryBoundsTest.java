package io.coordinator.server.watch;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.support.InProcessCluster;
import io.coordinator.server.support.WatchSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** One member with a tiny watch history and a tiny watch allowance per connection. */
class WatchHistoryBoundsTest {
    private static final int HISTORY_EVENTS = 5;
    private static final int WATCHES_PER_CONNECTION = 3;
    private static InProcessCluster cluster;

    @BeforeAll
    static void startMember() throws Exception {
        cluster = InProcessCluster.start(1, InProcessCluster.limits(l -> new io.coordinator.server.config.ServerConfig.LimitsConfig(l.dataBytesMax(),
                l.pathLengthMax(), l.frameBytesMax(), l.pendingRequestsMax(), l.connectionsMax(), l.txnOpsMax(),
                WATCHES_PER_CONNECTION, HISTORY_EVENTS, l.watchHistoryBytesMax(), l.watchPendingBytesMax())));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            try (WatchSocket socket = new WatchSocket(cluster.clientAddress(0))) {
                return socket.call(new Command.Execute(new Op.Exists("/"))).response() instanceof Response.ExistsResult
                        && socket.answer(socket.watch("/", WatchKind.PERSISTENT, 0)) instanceof ServerMessage.WatchStarted;
            }
        });
    }

    @AfterAll
    static void stopMember() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aWatchFromARevisionOlderThanTheHistoryGetsCompactedWithTheOldestRevisionStillThere() throws IOException {
        try (WatchSocket socket = new WatchSocket(cluster.clientAddress(0))) {
            long first = socket.call(new Command.Execute(new Op.Create("/h", new byte[0], CreateMode.PERSISTENT, 0))).revision();
            long last = first;
            for (int i = 0; i < 10; i++) {
                last = socket.call(new Command.Execute(new Op.SetData("/h", new byte[]{(byte) i}, -1))).revision();
            }
            long watch = socket.watch("/h", WatchKind.PERSISTENT, first);
            ServerMessage.WatchFailed failed = assertInstanceOf(ServerMessage.WatchFailed.class, socket.answer(watch));
            assertEquals(ErrorCode.COMPACTED, failed.code());
            assertEquals(last - HISTORY_EVENTS + 1, failed.oldestRevision());
            assertEquals(last, failed.revision());

            // The client resyncs from what the member still has: every revision from there on.
            long resumed = socket.watch("/h", WatchKind.PERSISTENT, failed.oldestRevision());
            assertInstanceOf(ServerMessage.WatchStarted.class, socket.answer(resumed));
            List<ServerMessage.WatchNotification> seen = socket.readUntil(resumed, n -> n.size() >= HISTORY_EVENTS);
            assertEquals(failed.oldestRevision(), seen.get(0).revision());
            assertEquals(last, seen.get(seen.size() - 1).revision());
        }
    }

    @Test
    void pastTheWatchesOfAConnectionANewWatchGetsTooLargeAndTheOthersGoOn() throws IOException {
        try (WatchSocket socket = new WatchSocket(cluster.clientAddress(0))) {
            long[] ids = new long[WATCHES_PER_CONNECTION];
            for (int i = 0; i < WATCHES_PER_CONNECTION; i++) {
                ids[i] = socket.watch("/w" + i, WatchKind.EXISTS, 0);
                assertInstanceOf(ServerMessage.WatchStarted.class, socket.answer(ids[i]));
            }
            long refused = socket.watch("/w-extra", WatchKind.EXISTS, 0);
            assertEquals(ErrorCode.TOO_LARGE, ((ServerMessage.WatchFailed) socket.answer(refused)).code());
            socket.call(new Command.Execute(new Op.Create("/w-extra", new byte[0], CreateMode.PERSISTENT, 0)));
            socket.call(new Command.Execute(new Op.Create("/w0", new byte[0], CreateMode.PERSISTENT, 0)));
            assertEquals(List.of(), socket.pushed(refused));
            assertEquals(1, socket.notifications(ids[0]).size());
        }
    }
}

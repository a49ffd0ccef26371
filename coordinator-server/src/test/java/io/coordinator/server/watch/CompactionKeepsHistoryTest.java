package io.coordinator.server.watch;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.support.InProcessCluster;
import io.coordinator.server.support.WatchSocket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Compacting the log must not cost a member its watch history: Atomix re-installs each snapshot on
 * the member that just took it, and treating that as a new state would turn every watch from the
 * recent past into COMPACTED.
 */
class CompactionKeepsHistoryTest {

    @Test
    void aWatchFromBeforeACompactionStillReplaysAfterIt() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(1)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                try (WatchSocket socket = new WatchSocket(cluster.clientAddress(0))) {
                    return socket.call(new Command.Execute(new Op.Create("/c", new byte[0], CreateMode.PERSISTENT, 0)))
                            .response() instanceof Response.Created;
                }
            });
            try (WatchSocket socket = new WatchSocket(cluster.clientAddress(0))) {
                long first = socket.call(new Command.Execute(new Op.Create("/c/a", new byte[0], CreateMode.PERSISTENT, 0)))
                        .revision();
                for (int i = 0; i < 5; i++) {
                    socket.call(new Command.Execute(new Op.Create("/c/n" + i, new byte[0], CreateMode.PERSISTENT, 0)));
                }
                cluster.member(0).replicatedLog().compact().get(30, TimeUnit.SECONDS);
                // The next entries are where Atomix re-installs the snapshot it just took.
                for (int i = 0; i < 3; i++) {
                    socket.call(new Command.Execute(new Op.SetData("/c/a", new byte[]{(byte) i}, -1)));
                }
                long watchId = socket.watch("/c", WatchKind.PERSISTENT_RECURSIVE, first);
                assertInstanceOf(ServerMessage.WatchStarted.class, socket.answer(watchId));
            }
        }
    }
}

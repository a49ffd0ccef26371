package io.coordinator.server.member;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.wire.Frame;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.support.RawConnection;
import io.coordinator.server.support.SessionCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static io.coordinator.server.support.SessionCluster.as;
import static io.coordinator.server.support.SessionCluster.attach;
import static io.coordinator.server.support.SessionCluster.open;
import static io.coordinator.server.support.SessionCluster.reply;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * "A retried create after a dropped reply does not fail with NODE_EXISTS and creates one node": a
 * write goes out with (session, sequence), its connection closes before the reply is read, and the
 * client sends the same (session, sequence) again, after attaching the session on a new connection,
 * to another member or the same one. Three real members, raw connections.
 */
class RetryAfterLostReplyTest {
    private static final ServerConfig.SessionSettings SESSIONS = new ServerConfig.SessionSettings(1_000, 60_000, 100, 1024);
    private static SessionCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = SessionCluster.start(3, SESSIONS);
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aRetriedCreateOnAnotherMemberGetsTheFirstResultAndNoNodeExists() throws IOException {
        retryAfterDroppedReply("/retry-other", CreateMode.PERSISTENT, 0, 1, true);
    }

    @Test
    void aRetriedSequentialCreateOnAnotherMemberCreatesOneNode() throws IOException {
        retryAfterDroppedReply("/retry-seq", CreateMode.PERSISTENT_SEQUENTIAL, 0, 2, true);
    }

    @Test
    void aRetriedCreateOnTheSameMemberGetsTheFirstResult() throws IOException {
        retryAfterDroppedReply("/retry-same", CreateMode.PERSISTENT_SEQUENTIAL, 1, 1, true);
    }

    @Test
    void aRetryThatRacesTheOriginalStillCreatesOneNode() throws IOException {
        retryAfterDroppedReply("/retry-race", CreateMode.PERSISTENT_SEQUENTIAL, 2, 0, false);
    }

    /**
     * @param awaitApplied resend only once the original is visible (the reply was lost, not the
     *                     request); otherwise resend at once, racing it
     */
    private static void retryAfterDroppedReply(String parent, CreateMode mode, int first, int second,
                                               boolean awaitApplied) throws IOException {
        String prefix = parent + "/n-";
        try (RawConnection setup = cluster.connect(first)) {
            assertInstanceOf(Response.Created.class, setup.execute(new Op.Create(parent, new byte[0], CreateMode.PERSISTENT, 0)).response());
        }
        long sessionId;
        long secret;
        try (RawConnection original = cluster.connect(first)) {
            Response.SessionOpened s = open(original, 10_000);
            sessionId = s.sessionId();
            secret = s.secret();
            // Sequence 1 went to a write that succeeded; the lost one is sequence 2.
            assertInstanceOf(Response.Created.class, as(original, sessionId, 1,
                    new Op.Create(parent + "/warm-up", new byte[0], CreateMode.EPHEMERAL, 0)).response());
            ClientMessage.Call call = new ClientMessage.Call(new Request(sessionId, 2, new Command.Execute(
                    new Op.Create(prefix, new byte[]{7}, mode, 0))), Consistency.LINEARIZABLE, 0);
            original.sendFrame(Frame.Kind.REQUEST, 99, Codec.smile().encode(call));
        } // closed before the reply is read: the client cannot know the outcome

        if (awaitApplied) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> children(parent).size() == 2);
        }
        try (RawConnection retry = cluster.connect(second)) {
            assertInstanceOf(Response.SessionChecked.class, attach(retry, sessionId, secret).response());
            Response response = as(retry, sessionId, 2, new Op.Create(prefix, new byte[]{7}, mode, 0)).response();
            Response.Created created = assertInstanceOf(Response.Created.class, response, () -> "retry answered " + response);
            assertEquals(mode.sequential() ? prefix + String.format("%019d", 0) : prefix, created.path());

            Response again = as(retry, sessionId, 2, new Op.Create(prefix, new byte[]{7}, mode, 0)).response();
            assertEquals(created, again, "every retry gets the first result");

            List<String> children = children(parent);
            assertEquals(List.of(created.path().substring(parent.length() + 1), "warm-up"), children,
                    "exactly one node was created");
            Stat stat = stat(created.path());
            assertEquals(created.stat().createRevision(), stat.createRevision(), "the answer is the original create's");
            assertEquals(1, stat.dataLength());

            reply(retry.call(new Command.CloseSession(sessionId, secret)));
        }
    }

    /** Children as a third member sees them, linearizably. */
    private static List<String> children(String path) throws IOException {
        try (RawConnection observer = cluster.connect(2)) {
            return ((Response.ChildrenResult) observer.execute(new Op.Children(path, false)).response()).names();
        }
    }

    private static Stat stat(String path) throws IOException {
        try (RawConnection observer = cluster.connect(2)) {
            return ((Response.ExistsResult) observer.execute(new Op.Exists(path)).response()).stat();
        }
    }
}

package io.coordinator.server.member;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ServerMessage;
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
import static io.coordinator.server.support.SessionCluster.keepAlive;
import static io.coordinator.server.support.SessionCluster.open;
import static io.coordinator.server.support.SessionCluster.reply;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A connection may use a session only after proving its secret (opening it there, or attaching it);
 * every refusal is typed and leaves nothing behind. Three real members, raw connections.
 */
class SessionOwnershipTest {
    private static final ServerConfig.SessionSettings SESSIONS = new ServerConfig.SessionSettings(1_000, 60_000, 100, 1024);
    private static final byte[] NO_DATA = new byte[0];
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

    private static Response.Failure failed(ServerMessage message, ErrorCode code) {
        Response.Failure failure = assertInstanceOf(Response.Failure.class, reply(message).response(),
                () -> "expected " + code + ", got " + message);
        assertEquals(code, failure.code(), failure.message());
        return failure;
    }

    private static Op create(String path, CreateMode mode) {
        return new Op.Create(path, NO_DATA, mode, 0);
    }

    /** What a linearizable read on member 2 says about a session, with the right secret. */
    private static Response check(long sessionId, long secret) throws IOException {
        try (RawConnection observer = cluster.connect(2)) {
            return reply(observer.call(new Command.CheckSession(sessionId, secret))).response();
        }
    }

    private static long revision() throws IOException {
        try (RawConnection observer = cluster.connect(2)) {
            return observer.execute(new Op.Exists("/")).revision();
        }
    }

    private static boolean exists(String path) throws IOException {
        try (RawConnection observer = cluster.connect(2)) {
            return ((Response.ExistsResult) observer.execute(new Op.Exists(path)).response()).exists();
        }
    }

    @Test
    void aSessionOpenedOnAConnectionIsAttachedToItAtOnce() throws IOException {
        try (RawConnection a = cluster.connect(0)) {
            Response.SessionOpened s = open(a, 5_000);
            assertInstanceOf(Response.Created.class, as(a, s.sessionId(), 1, create("/owned-e", CreateMode.EPHEMERAL)).response());
            assertEquals(new Response.KeptAlive(1), keepAlive(a, s.sessionId()).response());
            assertEquals(new Response.SessionClosed(s.sessionId()),
                    reply(a.call(new Command.CloseSession(s.sessionId(), s.secret()))).response());
        }
    }

    @Test
    void anotherConnectionCannotWriteRenewOrCloseASessionItHasNotAttached() throws IOException {
        try (RawConnection a = cluster.connect(0); RawConnection b = cluster.connect(1)) {
            Response.SessionOpened s = open(a, 5_000);
            long before = revision();

            failed(b.call(new Request(s.sessionId(), 1, new Command.Execute(create("/stolen", CreateMode.EPHEMERAL)))),
                    ErrorCode.UNAUTHORIZED);
            failed(b.call(new Request(s.sessionId(), 0, new Command.Execute(create("/stolen", CreateMode.PERSISTENT)))),
                    ErrorCode.UNAUTHORIZED);
            failed(b.call(new Command.KeepAlive(List.of(s.sessionId()))), ErrorCode.UNAUTHORIZED);
            failed(b.call(new Command.CloseSession(s.sessionId(), s.secret())), ErrorCode.UNAUTHORIZED);

            assertEquals(before, revision(), "nothing reached the log");
            assertEquals(false, exists("/stolen"));
            assertEquals(new Response.SessionChecked(s.sessionId(), 5_000), check(s.sessionId(), s.secret()));
            // Sequence 1 was not used up by the refused write: the owner can still use it.
            assertInstanceOf(Response.Created.class, as(a, s.sessionId(), 1, create("/mine", CreateMode.EPHEMERAL)).response());
            reply(a.call(new Command.CloseSession(s.sessionId(), s.secret())));
        }
    }

    @Test
    void attachingWithTheSecretLetsAConnectionToAnotherMemberUseTheSession() throws IOException {
        try (RawConnection a = cluster.connect(0); RawConnection b = cluster.connect(1)) {
            Response.SessionOpened s = open(a, 5_000);
            assertEquals(new Response.SessionChecked(s.sessionId(), 5_000), attach(b, s.sessionId(), s.secret()).response());

            Response.Created created = (Response.Created) as(b, s.sessionId(), 1, create("/moved-e", CreateMode.EPHEMERAL)).response();
            assertEquals(s.sessionId(), created.stat().ephemeralOwner());
            assertEquals(new Response.KeptAlive(1), keepAlive(b, s.sessionId()).response());
            assertEquals(new Response.SessionClosed(s.sessionId()),
                    reply(b.call(new Command.CloseSession(s.sessionId(), s.secret()))).response());
            assertEquals(false, exists("/moved-e"), "closing took the session's ephemeral with it");
            // The closing connection detaches it; the opening one still holds it and learns it is gone.
            failed(as(b, s.sessionId(), 2, create("/late", CreateMode.PERSISTENT)), ErrorCode.UNAUTHORIZED);
            failed(as(a, s.sessionId(), 2, create("/late", CreateMode.PERSISTENT)), ErrorCode.SESSION_EXPIRED);
        }
    }

    @Test
    void aWrongSecretIsUnauthorizedAndAttachesNothing() throws IOException {
        try (RawConnection a = cluster.connect(0); RawConnection b = cluster.connect(1)) {
            Response.SessionOpened s = open(a, 5_000);
            failed(attach(b, s.sessionId(), s.secret() + 1), ErrorCode.UNAUTHORIZED);
            failed(as(b, s.sessionId(), 1, create("/guessed", CreateMode.PERSISTENT)), ErrorCode.UNAUTHORIZED);
            assertEquals(false, exists("/guessed"));
        }
    }

    @Test
    void anUnknownOrClosedSessionCannotBeAttached() throws IOException {
        try (RawConnection a = cluster.connect(0); RawConnection b = cluster.connect(1)) {
            failed(attach(b, 1_000_000, 42), ErrorCode.SESSION_EXPIRED);
            failed(attach(b, 0, 0), ErrorCode.SESSION_EXPIRED);

            Response.SessionOpened s = open(a, 5_000);
            reply(a.call(new Command.CloseSession(s.sessionId(), s.secret())));
            failed(attach(b, s.sessionId(), s.secret()), ErrorCode.SESSION_EXPIRED);
            failed(as(b, s.sessionId(), 1, create("/after-close", CreateMode.PERSISTENT)), ErrorCode.UNAUTHORIZED);
        }
    }

    @Test
    void anExpiredSessionCannotBeAttachedAndItsAttachedConnectionHearsSessionExpired() throws IOException {
        try (RawConnection a = cluster.connect(0)) {
            Response.SessionOpened s = open(a, 1_000);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> check(s.sessionId(), s.secret()) instanceof Response.Failure f
                            && f.code() == ErrorCode.SESSION_EXPIRED);
            try (RawConnection b = cluster.connect(1)) {
                failed(attach(b, s.sessionId(), s.secret()), ErrorCode.SESSION_EXPIRED);
            }
            failed(as(a, s.sessionId(), 1, create("/too-late", CreateMode.EPHEMERAL)), ErrorCode.SESSION_EXPIRED);
            assertEquals(new Response.KeptAlive(0), keepAlive(a, s.sessionId()).response(), "nothing to renew");
        }
    }

    @Test
    void aTtlOutsideTheBoundsIsBadArgumentsAndGrantsNothing() throws IOException {
        try (RawConnection a = cluster.connect(0)) {
            long first = open(a, 5_000).sessionId();
            long before = revision();
            failed(a.call(new Command.OpenSession(SESSIONS.ttlMillisMin() - 1, 0)), ErrorCode.BAD_ARGUMENTS);
            failed(a.call(new Command.OpenSession(SESSIONS.ttlMillisMax() + 1, 0)), ErrorCode.BAD_ARGUMENTS);
            failed(a.call(new Command.OpenSession(0, 0)), ErrorCode.BAD_ARGUMENTS);
            assertEquals(before, revision());
            assertEquals(first + 1, open(a, SESSIONS.ttlMillisMin()).sessionId(), "the refused opens took no id");
        }
    }

    @Test
    void aPlainCheckSessionReadAnswersButAttachesNothing() throws IOException {
        try (RawConnection a = cluster.connect(0); RawConnection b = cluster.connect(1)) {
            Response.SessionOpened s = open(a, 5_000);
            assertEquals(new Response.SessionChecked(s.sessionId(), 5_000),
                    reply(b.call(new Command.CheckSession(s.sessionId(), s.secret()))).response());
            failed(b.call(new Command.CheckSession(s.sessionId(), s.secret() ^ 1)), ErrorCode.UNAUTHORIZED);
            failed(as(b, s.sessionId(), 1, create("/checked-only", CreateMode.PERSISTENT)), ErrorCode.UNAUTHORIZED);
        }
    }
}

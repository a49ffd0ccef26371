package io.coordinator.core;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.coordinator.core.Harness.create;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CheckSession: the read a member uses to prove a connection's claim on a session (attach). */
class CheckSessionTest {

    private final Harness h = new Harness(new Limits(1024, 256, 1_000, 10_000, 8, 16));

    @Test
    void aLiveSessionWithItsOwnSecretChecksOutWithItsTtl() {
        long session = h.openSession(3_000);
        assertEquals(new Response.SessionChecked(session, 3_000), h.machine.read(new Command.CheckSession(session, 42)).response());
    }

    @Test
    void aWrongSecretIsUnauthorized() {
        long session = h.openSession(3_000);
        Harness.failed(h.machine.read(new Command.CheckSession(session, 41)), ErrorCode.UNAUTHORIZED);
    }

    @Test
    void unknownClosedAndExpiredSessionsAreAllSessionExpired() {
        Harness.failed(h.machine.read(new Command.CheckSession(7, 42)), ErrorCode.SESSION_EXPIRED);
        Harness.failed(h.machine.read(new Command.CheckSession(0, 0)), ErrorCode.SESSION_EXPIRED);

        long closed = h.openSession(3_000);
        h.run(new Command.CloseSession(closed, 42));
        Harness.failed(h.machine.read(new Command.CheckSession(closed, 42)), ErrorCode.SESSION_EXPIRED);

        long expired = h.openSession(1_000);
        h.nowMillis += 1_000;
        h.tick();
        assertFalse(h.machine.sessionAlive(expired));
        Harness.failed(h.machine.read(new Command.CheckSession(expired, 42)), ErrorCode.SESSION_EXPIRED);
    }

    @Test
    void aCheckRenewsNothingAndChangesNothing() {
        long session = h.openSession(2_000);
        h.nowMillis += 1_999;
        byte[] before = h.snapshot();
        assertInstanceOf(Response.SessionChecked.class, h.machine.read(new Command.CheckSession(session, 42)).response());
        assertArrayEquals(before, h.snapshot());
        long revision = h.machine.revision();
        assertInstanceOf(Response.SessionChecked.class,
                h.apply(new Command.CheckSession(session, 42)).response(), "from a log batch it is a read too");
        assertEquals(revision, h.machine.revision());
        h.nowMillis += 1;
        h.tick();
        assertFalse(h.machine.sessionAlive(session), "the lease ran from its last renewal, not from the check");
    }

    @Test
    void aCheckCarryingASequenceDoesNotUseUpThatSequence() {
        long session = h.openSession(3_000);
        assertInstanceOf(Response.SessionChecked.class,
                h.apply(new Request(session, 1, new Command.CheckSession(session, 42))).response());
        Response created = h.apply(new Request(session, 1, create("/e", "", CreateMode.EPHEMERAL))).response();
        assertInstanceOf(Response.Created.class, created, "sequence 1 was still free for a write");
        assertTrue(h.machine.sessionAlive(session));
        assertEquals(List.of("e"), h.children("/"));
    }

    @Test
    void checkIsAReadNotAWrite() {
        assertFalse(new Command.CheckSession(1, 2).isWrite());
    }
}

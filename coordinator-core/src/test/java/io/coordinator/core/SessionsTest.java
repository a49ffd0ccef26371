package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.WatchEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.coordinator.core.Harness.create;
import static io.coordinator.core.Harness.createTtl;
import static io.coordinator.core.Harness.delete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionsTest {

    private final Harness h = new Harness(new Limits(1024, 256, 1_000, 10_000, 8, 16));

    private void ephemeral(long session, String path) {
        h.apply(new Request(session, 0, create(path, "", CreateMode.EPHEMERAL)));
    }

    @Test
    void sessionIdsStartAtOneAndAreNeverReused() {
        long first = h.openSession(2_000);
        assertEquals(1, first);
        h.run(new Command.CloseSession(first, 42));
        assertEquals(2, h.openSession(2_000));
    }

    @Test
    void openingGrantsTheProposedSecretAndTtl() {
        Response opened = h.run(new Command.OpenSession(3_000, -77));
        assertEquals(new Response.SessionOpened(1, -77, 3_000), opened);
        assertTrue(h.machine.sessionMatches(1, -77));
        assertFalse(h.machine.sessionMatches(1, 77));
        assertFalse(h.machine.sessionMatches(2, -77));
    }

    @Test
    void aTtlOutsideTheServersBoundsIsBadArguments() {
        h.failed(new Command.OpenSession(999, 1), ErrorCode.BAD_ARGUMENTS);
        h.failed(new Command.OpenSession(10_001, 1), ErrorCode.BAD_ARGUMENTS);
        assertEquals(1, h.openSession(1_000));
        assertEquals(2, h.openSession(10_000));
    }

    @Test
    void aSessionExpiresAtTheFirstTickAtOrAfterItsDeadline() {
        long session = h.openSession(2_000);
        h.nowMillis += 1_999;
        h.tick();
        assertTrue(h.machine.sessionAlive(session));
        h.nowMillis += 1;
        h.tick();
        assertFalse(h.machine.sessionAlive(session));
    }

    @Test
    void aKeepAliveRenewsLiveSessionsFromTheEntrysLogTime() {
        long a = h.openSession(2_000);
        long b = h.openSession(2_000);
        h.nowMillis += 1_500;
        assertEquals(new Response.KeptAlive(1), h.run(new Command.KeepAlive(List.of(a, a, 99L))));
        h.nowMillis += 1_000;
        h.tick();
        assertTrue(h.machine.sessionAlive(a));
        assertFalse(h.machine.sessionAlive(b));
        assertEquals(new Response.KeptAlive(0), h.run(new Command.KeepAlive(List.of(b))), "expired is not renewed");
    }

    @Test
    void closingASessionDeletesItsEphemeralsInOneRevision() {
        long session = h.openSession(2_000);
        long other = h.openSession(2_000);
        h.created(create("/locks"));
        ephemeral(session, "/locks/b");
        ephemeral(session, "/locks/a");
        ephemeral(other, "/locks/c");
        long before = h.machine.revision();
        Applied closed = h.apply(new Command.CloseSession(session, 42));
        assertEquals(new Response.SessionClosed(session), closed.response());
        assertEquals(before + 1, closed.revision());
        assertEquals(List.of("c"), h.children("/locks"));
        assertFalse(h.machine.sessionAlive(session));
        assertEquals(List.of("/locks/a", "/locks/b"), closed.events().stream()
                .filter(e -> e.type() == WatchEvent.Type.DELETED).map(WatchEvent::path).toList());
    }

    @Test
    void closingASessionWithoutEphemeralsKeepsTheRevision() {
        long session = h.openSession(2_000);
        assertEquals(0, h.apply(new Command.CloseSession(session, 42)).revision());
    }

    @Test
    void aCloseWithTheWrongSecretIsUnauthorizedAndOfAnUnknownSessionIsExpired() {
        long session = h.openSession(2_000);
        h.failed(new Command.CloseSession(session, 41), ErrorCode.UNAUTHORIZED);
        assertTrue(h.machine.sessionAlive(session));
        h.failed(new Command.CloseSession(session + 1, 42), ErrorCode.SESSION_EXPIRED);
    }

    @Test
    void aLeaderChangeRestartsEveryLeaseSoNoSessionExpiresEarly() {
        long session = h.openSession(2_000);
        h.nowMillis += 1_900;
        h.run(new Command.LeaderChanged(1));
        h.nowMillis += 1_999;
        h.tick();
        assertTrue(h.machine.sessionAlive(session));
        h.nowMillis += 1;
        h.tick();
        assertFalse(h.machine.sessionAlive(session));
    }

    @Test
    void aTickOfAnotherTermThanTheLastLeaderChangeExpiresNothing() {
        h.run(new Command.LeaderChanged(3));
        long session = h.openSession(2_000);
        h.created(createTtl("/t", CreateMode.PERSISTENT_WITH_TTL, 10));
        h.nowMillis += 10_000;
        h.run(new Command.Tick(2));
        h.run(new Command.Tick(4));
        assertTrue(h.machine.sessionAlive(session));
        assertNotNull(h.stat("/t"));
        h.run(new Command.LeaderChanged(2));
        assertEquals(3, h.machine.leaderTerm(), "a late, older leader change does not win the term back");
        h.nowMillis += 2_000;
        h.run(new Command.Tick(3));
        assertFalse(h.machine.sessionAlive(session));
        assertNull(h.stat("/t"));
    }

    @Test
    void allExpiriesAndTtlDeletionsOfATickShareOneRevisionInSessionThenPathOrder() {
        long a = h.openSession(1_000);
        long b = h.openSession(1_000);
        h.created(create("/p"));
        ephemeral(b, "/p/b1");
        ephemeral(a, "/p/a2");
        ephemeral(a, "/p/a1");
        h.created(createTtl("/t", CreateMode.PERSISTENT_WITH_TTL, 500));
        h.nowMillis += 1_000;
        long before = h.machine.revision();
        Applied tick = h.tick();
        assertEquals(before + 1, tick.revision());
        assertEquals(List.of("/p/a1", "/p/a2", "/p/b1", "/t"), tick.events().stream()
                .filter(e -> e.type() == WatchEvent.Type.DELETED).map(WatchEvent::path).toList());
        assertEquals(List.of(), h.children("/p"));
    }

    @Test
    void anExpiryWithoutEphemeralsKeepsTheRevision() {
        h.openSession(1_000);
        h.nowMillis += 1_000;
        assertEquals(0, h.tick().revision());
    }

    @Test
    void anEphemeralDeletedByHandIsNotDeletedAgainAtExpiry() {
        long session = h.openSession(1_000);
        ephemeral(session, "/e1");
        ephemeral(session, "/e2");
        h.run(delete("/e1", -1));
        h.nowMillis += 1_000;
        Applied tick = h.tick();
        assertEquals(List.of("/e2", "/"), tick.events().stream().map(WatchEvent::path).toList());
    }

    @Test
    void anEphemeralUnderAContainerTakesTheContainerWithItWhenTheSessionEnds() {
        long session = h.openSession(1_000);
        h.created(create("/lock", "", CreateMode.CONTAINER));
        h.apply(new Request(session, 0, create("/lock/n-", "", CreateMode.EPHEMERAL_SEQUENTIAL)));
        h.run(new Command.CloseSession(session, 42));
        assertNull(h.stat("/lock"));
    }
}

package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.coordinator.core.Harness.create;
import static io.coordinator.core.Harness.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DedupTest {

    private final Harness h = new Harness(new Limits(1024, 256, 1_000, 10_000, 3, 16));
    private final long session = h.openSession(5_000);

    @Test
    void aRetriedWriteIsAnsweredWithTheFirstResultAndAppliedOnce() {
        Applied first = h.as(session, 1, create("/s", "", CreateMode.PERSISTENT_SEQUENTIAL));
        h.created(create("/other"));
        Applied retry = h.as(session, 1, create("/s", "", CreateMode.PERSISTENT_SEQUENTIAL));
        assertEquals(first.revision(), retry.revision());
        assertEquals(first.response(), retry.response());
        assertEquals(List.of(), retry.events());
        assertEquals(List.of("other", "s0000000000000000000"), h.children("/"));
        assertEquals(2, h.machine.revision());
    }

    @Test
    void failuresAreRememberedToo() {
        Applied first = h.as(session, 1, create("/a/b"));
        Harness.failed(first, ErrorCode.NO_NODE);
        h.created(create("/a"));
        Applied retry = h.as(session, 1, create("/a/b"));
        assertEquals(first.response(), retry.response());
        assertEquals(List.of(), h.children("/a"));
    }

    @Test
    void aSequenceOlderThanAFullWindowIsRefused() {
        for (int seq = 1; seq <= 4; seq++) {
            h.as(session, seq, set("/", "v" + seq, -1));
        }
        Response.Failure failure = Harness.failed(h.as(session, 1, set("/", "again", -1)), ErrorCode.BAD_ARGUMENTS);
        assertTrue(failure.message().contains("older than the de-duplication window"), failure.message());
        assertEquals("v4", h.data("/"));
        assertInstanceOf(Response.Updated.class, h.as(session, 2, set("/", "x", -1)).response(),
                "2 is still in the window of 3: remembered");
        assertEquals("v4", h.data("/"));
    }

    @Test
    void aSequenceBelowTheWindowIsAppliedWhileTheWindowIsNotFull() {
        h.as(session, 10, set("/", "ten", -1));
        h.as(session, 5, set("/", "five", -1));
        assertEquals("five", h.data("/"));
        assertEquals(2, h.machine.revision());
    }

    @Test
    void aSequencedWriteOfADeadSessionIsSessionExpired() {
        Harness.failed(h.as(session + 1, 1, create("/x")), ErrorCode.SESSION_EXPIRED);
        h.run(new Command.CloseSession(session, 42));
        Harness.failed(h.as(session, 1, create("/x")), ErrorCode.SESSION_EXPIRED);
        assertEquals(0, h.machine.revision());
    }

    @Test
    void theWindowGoesAwayWithTheSession() {
        h.as(session, 1, create("/x"));
        h.as(session, 2, new Command.CloseSession(session, 42));
        Harness.failed(h.as(session, 1, create("/x")), ErrorCode.SESSION_EXPIRED);
        Harness.failed(h.as(session, 2, new Command.CloseSession(session, 42)), ErrorCode.SESSION_EXPIRED);
    }

    @Test
    void writesWithoutASequenceAreNotDeduplicated() {
        h.as(session, 0, create("/s", "", CreateMode.PERSISTENT_SEQUENTIAL));
        h.as(session, 0, create("/s", "", CreateMode.PERSISTENT_SEQUENTIAL));
        assertEquals(2, h.children("/").size());
    }

    @Test
    void readsAreNotRememberedNorCountedInTheWindow() {
        h.as(session, 1, Harness.get("/"));
        h.as(session, 1, set("/", "written", -1));
        assertEquals("written", h.data("/"));
    }

    @Test
    void whatACallerDoesWithRememberedBytesDoesNotChangeTheNextAnswer() {
        h.created(Harness.create("/d", "abc", CreateMode.PERSISTENT));
        Command.ClientCommand readInTxn = new Command.Txn(List.of(), List.of(new Op.Get("/d"), new Op.SetData("/d", null, -1)),
                List.of());
        Response.TxnResult first = assertInstanceOf(Response.TxnResult.class, h.as(session, 1, readInTxn).response());
        ((Response.Data) first.results().get(0)).data()[0] = 'X';
        Response.TxnResult retry = assertInstanceOf(Response.TxnResult.class, h.as(session, 1, readInTxn).response());
        ((Response.Data) retry.results().get(0)).data()[1] = 'Y';
        Response.TxnResult again = assertInstanceOf(Response.TxnResult.class, h.as(session, 1, readInTxn).response());
        assertEquals("abc", Harness.text(((Response.Data) again.results().get(0)).data()));
    }

    @Test
    void theWindowIsPerSession() {
        long other = h.openSession(5_000);
        h.as(session, 1, create("/a"));
        Harness.failed(h.as(other, 1, create("/a")), ErrorCode.NODE_EXISTS);
        assertNotNull(h.stat("/a"));
    }
}

package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.coordinator.core.Harness.bytes;
import static io.coordinator.core.Harness.children;
import static io.coordinator.core.Harness.create;
import static io.coordinator.core.Harness.get;
import static io.coordinator.core.Harness.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadsTest {

    private final Harness h = new Harness();

    @Test
    void aGetReturnsDataAndStatAndAMissingNodeIsNoNode() {
        h.created(create("/a", "value", CreateMode.PERSISTENT));
        Response.Data data = assertInstanceOf(Response.Data.class, h.machine.read(get("/a")).response());
        assertArrayEquals(bytes("value"), data.data());
        assertEquals(5, data.stat().dataLength());
        Harness.failed(h.machine.read(get("/b")), ErrorCode.NO_NODE);
        Harness.failed(h.machine.read(children("/b", false)), ErrorCode.NO_NODE);
    }

    @Test
    void existsOfAMissingNodeIsANullStatNotAFailure() {
        Response.ExistsResult result = assertInstanceOf(Response.ExistsResult.class,
                h.machine.read(Harness.exists("/nope")).response());
        assertFalse(result.exists());
        assertNull(result.stat());
    }

    @Test
    void childrenAreSortedWithStatsOnlyWhenAskedAndTheParentsStat() {
        h.created(create("/p"));
        for (String name : List.of("b", "a", "c10", "c2")) {
            h.created(create("/p/" + name, name, CreateMode.PERSISTENT));
        }
        Response.ChildrenResult plain = assertInstanceOf(Response.ChildrenResult.class,
                h.machine.read(children("/p", false)).response());
        assertEquals(List.of("a", "b", "c10", "c2"), plain.names());
        assertEquals(List.of(), plain.stats());
        assertEquals(h.stat("/p"), plain.parentStat());
        Response.ChildrenResult withStats = assertInstanceOf(Response.ChildrenResult.class,
                h.machine.read(children("/p", true)).response());
        assertEquals(List.of(h.stat("/p/a"), h.stat("/p/b"), h.stat("/p/c10"), h.stat("/p/c2")), withStats.stats());
    }

    @Test
    void readRefusesWritesAndChangesNothing() {
        List<Command.ClientCommand> writes = List.of(create("/a"), set("/", "x", -1),
                new Command.Txn(List.of(), List.of(new Op.Get("/")), List.of(new Op.Delete("/a", -1, false))),
                new Command.OpenSession(5_000, 1), new Command.KeepAlive(List.of()), new Command.CloseSession(1, 1));
        byte[] before = h.snapshot();
        for (Command.ClientCommand write : writes) {
            Harness.failed(h.machine.read(write), ErrorCode.BAD_ARGUMENTS);
        }
        assertArrayEquals(before, h.snapshot());
    }

    @Test
    void aReadOnlyTxnIsServedLocally() {
        h.created(create("/a"));
        Applied applied = h.machine.read(new Command.Txn(List.of(Compare.exists("/a", true)),
                List.of(new Op.Get("/a"), new Op.Children("/", false)), List.of(new Op.Exists("/b"))));
        Response.TxnResult result = assertInstanceOf(Response.TxnResult.class, applied.response());
        assertTrue(result.succeeded());
        assertEquals(2, result.results().size());
        assertEquals(1, applied.revision());
    }

    @Test
    void readsCarryTheCurrentRevision() {
        h.created(create("/a"));
        h.run(set("/a", "x", -1));
        assertEquals(2, h.machine.read(get("/a")).revision());
    }

    @Test
    void bytesGoingInOrOutAreCopiesSoCallersCannotChangeTheTree() {
        byte[] input = bytes("abc");
        h.created(new Command.Execute(new Op.Create("/a", input, CreateMode.PERSISTENT, 0)));
        input[0] = 'X';
        byte[] output = assertInstanceOf(Response.Data.class, h.machine.read(get("/a")).response()).data();
        output[1] = 'Y';
        assertEquals("abc", h.data("/a"));
    }
}

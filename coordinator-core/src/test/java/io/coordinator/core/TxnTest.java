package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.Compare.Operator;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.coordinator.core.Harness.bytes;
import static io.coordinator.core.Harness.create;
import static io.coordinator.core.Harness.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TxnTest {

    private final Harness h = new Harness();

    private static Op.Create mk(String path) {
        return new Op.Create(path, null, CreateMode.PERSISTENT, 0);
    }

    private static Command.Txn txn(List<Compare> compares, List<Op> then, List<Op> otherwise) {
        return new Command.Txn(compares, then, otherwise);
    }

    private boolean holds(Compare compare) {
        Response response = h.machine.read(txn(List.of(compare), List.of(), List.of())).response();
        return assertInstanceOf(Response.TxnResult.class, response).succeeded();
    }

    @Test
    void whenEveryCompareHoldsTheThenBranchAppliesAtOneRevision() {
        h.created(create("/a"));
        Applied applied = h.apply(txn(List.of(Compare.version("/a", Operator.EQUAL, 0), Compare.exists("/b", false)),
                List.of(mk("/b"), new Op.SetData("/a", bytes("v"), 0)), List.of(mk("/never"))));
        Response.TxnResult result = assertInstanceOf(Response.TxnResult.class, applied.response());
        assertTrue(result.succeeded());
        assertEquals(2, result.results().size());
        assertInstanceOf(Response.Created.class, result.results().get(0));
        assertInstanceOf(Response.Updated.class, result.results().get(1));
        assertEquals(2, applied.revision());
        assertNull(h.stat("/never"));
    }

    @Test
    void whenACompareFailsTheOtherwiseBranchApplies() {
        Applied applied = h.apply(txn(List.of(Compare.exists("/a", true)), List.of(mk("/then")), List.of(mk("/else"))));
        assertFalse(assertInstanceOf(Response.TxnResult.class, applied.response()).succeeded());
        assertNull(h.stat("/then"));
        assertEquals(1, h.stat("/else").createRevision());
    }

    @Test
    void aFailingOpLeavesNothingOfTheTxnBehindAndNamesTheOp() throws Exception {
        h.created(create("/a"));
        h.created(create("/q"));
        long session = h.openSession(5_000);
        h.apply(new Request(session, 0, create("/c", "", CreateMode.CONTAINER)));
        h.created(create("/c/only"));
        byte[] before = h.snapshot();
        long revision = h.machine.revision();
        long index = h.index;
        Applied applied = h.apply(new Request(session, 0, txn(List.of(), List.of(
                new Op.SetData("/a", bytes("changed"), -1),
                new Op.Create("/q/s", null, CreateMode.PERSISTENT_SEQUENTIAL, 0),
                new Op.Create("/e", null, CreateMode.EPHEMERAL, 0),
                new Op.Delete("/c/only", -1, false),
                new Op.Create("/t", null, CreateMode.PERSISTENT_WITH_TTL, 50),
                new Op.Delete("/a", 5, false)), List.of())));
        Response.Failure failure = Harness.failed(applied, ErrorCode.BAD_VERSION);
        assertTrue(failure.message().startsWith("op 5: "), failure.message());
        assertEquals(revision, applied.revision());
        assertEquals(revision, h.machine.revision());
        // The snapshot holds the applied index, which did move: put it back to compare the rest.
        Harness twin = new Harness(Harness.restore(before, h.limits), h.limits);
        twin.machine.apply(Request.of(Harness.get("/")), index + 1, 0);
        assertArrayEquals(twin.snapshot(), h.snapshot(), "byte-identical state after the failed txn");
        assertEquals("/q/s0000000000000000000",
                h.created(new Command.Execute(new Op.Create("/q/s", null, CreateMode.PERSISTENT_SEQUENTIAL, 0))).path(),
                "the failed txn's sequence number is not consumed");
    }

    @Test
    void readsInsideATxnSeeTheEarlierWritesOfItsBranch() {
        Applied applied = h.apply(txn(List.of(), List.of(mk("/a"), new Op.SetData("/a", bytes("x"), 0),
                new Op.Get("/a"), new Op.Children("/", true), new Op.Exists("/a"), new Op.Delete("/a", 1, false),
                new Op.Exists("/a")), List.of()));
        List<Response> results = assertInstanceOf(Response.TxnResult.class, applied.response()).results();
        Response.Data data = assertInstanceOf(Response.Data.class, results.get(2));
        assertArrayEquals(bytes("x"), data.data());
        assertEquals(1, data.stat().modRevision(), "reads see the txn's own revision");
        assertEquals(List.of("a"), assertInstanceOf(Response.ChildrenResult.class, results.get(3)).names());
        assertTrue(assertInstanceOf(Response.ExistsResult.class, results.get(4)).exists());
        assertFalse(assertInstanceOf(Response.ExistsResult.class, results.get(6)).exists());
        assertEquals(1, applied.revision());
        assertNull(h.stat("/a"));
    }

    @Test
    void aReadThatFailsInsideATxnFailsTheWholeTxn() {
        Response.Failure failure = h.failed(txn(List.of(), List.of(mk("/a"), new Op.Get("/missing")), List.of()),
                ErrorCode.NO_NODE);
        assertEquals("op 1: no node /missing", failure.message());
        assertNull(h.stat("/a"));
    }

    @Test
    void comparesOnAMissingNodeHoldOnlyForExistsAndNotEqual() {
        for (Operator op : Operator.values()) {
            assertEquals(op == Operator.NOT_EQUAL, holds(Compare.version("/x", op, 0)), "version " + op);
            assertEquals(op == Operator.NOT_EQUAL, holds(Compare.modRevision("/x", op, 0)), "mod " + op);
            assertEquals(op == Operator.NOT_EQUAL, holds(Compare.createRevision("/x", op, 0)), "create " + op);
            assertEquals(op == Operator.NOT_EQUAL, holds(Compare.value("/x", op, new byte[0])), "value " + op);
        }
        assertTrue(holds(Compare.exists("/x", false)));
        assertFalse(holds(Compare.exists("/x", true)));
    }

    @Test
    void numericComparesOrderTheNodesFields() {
        h.created(create("/a"));
        h.run(set("/a", "x", -1));
        h.run(set("/a", "y", -1));
        assertTrue(holds(Compare.version("/a", Operator.EQUAL, 2)));
        assertTrue(holds(Compare.version("/a", Operator.GREATER, 1)));
        assertTrue(holds(Compare.version("/a", Operator.LESS, 3)));
        assertTrue(holds(Compare.modRevision("/a", Operator.EQUAL, 3)));
        assertTrue(holds(Compare.createRevision("/a", Operator.EQUAL, 1)));
        assertTrue(holds(Compare.createRevision("/a", Operator.NOT_EQUAL, 2)));
        assertTrue(holds(Compare.exists("/a", true)));
    }

    @Test
    void valueComparesAreUnsignedLexicographic() {
        h.created(new Command.Execute(new Op.Create("/v", new byte[]{(byte) 0x80, 1}, CreateMode.PERSISTENT, 0)));
        assertTrue(holds(Compare.value("/v", Operator.GREATER, new byte[]{0x7f, 9})), "0x80 is above 0x7f");
        assertTrue(holds(Compare.value("/v", Operator.GREATER, new byte[]{(byte) 0x80})), "a prefix sorts first");
        assertTrue(holds(Compare.value("/v", Operator.LESS, new byte[]{(byte) 0x80, 2})));
        assertTrue(holds(Compare.value("/v", Operator.EQUAL, new byte[]{(byte) 0x80, 1})));
    }

    @Test
    void aSessionCompareHoldsWhileTheSessionIsAlive() {
        long session = h.openSession(5_000);
        assertTrue(holds(Compare.sessionAlive(session)));
        assertFalse(holds(Compare.sessionAlive(session + 1)));
        assertTrue(holds(new Compare(Compare.Target.SESSION_ALIVE, "/", Operator.NOT_EQUAL, session + 1, null)));
        h.run(new Command.CloseSession(session, 42));
        assertFalse(holds(Compare.sessionAlive(session)));
        h.failed(txn(List.of(new Compare(Compare.Target.SESSION_ALIVE, "/", Operator.LESS, 1, null)), List.of(),
                List.of()), ErrorCode.BAD_ARGUMENTS);
    }

    @Test
    void aCompareOnAnInvalidPathFailsTheTxn() {
        Response.Failure failure = h.failed(txn(List.of(Compare.exists("/ok", false), Compare.exists("bad", true)),
                List.of(mk("/ok")), List.of()), ErrorCode.INVALID_PATH);
        assertTrue(failure.message().startsWith("compare 1: "), failure.message());
        assertNull(h.stat("/ok"));
    }

    @Test
    void comparesAndOpsTogetherAreBoundedByTheTxnLimit() {
        Harness small = new Harness(new Limits(100, 100, 1_000, 10_000, 8, 3));
        small.failed(txn(List.of(Compare.exists("/a", false), Compare.exists("/b", false)), List.of(mk("/a")),
                List.of(mk("/b"))), ErrorCode.TOO_LARGE);
        assertInstanceOf(Response.TxnResult.class, small.run(txn(List.of(Compare.exists("/a", false)),
                List.of(mk("/a")), List.of(mk("/b")))));
    }

    @Test
    void aTxnThatWritesNothingKeepsTheRevision() {
        h.created(create("/a"));
        Applied readOnly = h.apply(txn(List.of(), List.of(new Op.Get("/a")), List.of()));
        assertEquals(1, readOnly.revision());
        Applied emptyBranch = h.apply(txn(List.of(Compare.exists("/a", false)), List.of(mk("/b")), List.of()));
        assertEquals(1, emptyBranch.revision());
        assertEquals(List.of(), emptyBranch.events());
        assertFalse(assertInstanceOf(Response.TxnResult.class, emptyBranch.response()).succeeded());
    }

    @Test
    void aTxnMayDeleteAndRecreateAPathAtOneRevision() {
        h.created(create("/a", "old", CreateMode.PERSISTENT));
        h.run(set("/a", "older", -1));
        Applied applied = h.apply(txn(List.of(), List.of(new Op.Delete("/a", -1, false),
                new Op.Create("/a", bytes("new"), CreateMode.PERSISTENT, 0)), List.of()));
        assertEquals(3, applied.revision());
        assertEquals(0, h.stat("/a").version());
        assertEquals(3, h.stat("/a").createRevision());
        assertEquals("new", h.data("/a"));
    }

    @Test
    void aLargeFailingTxnRollsBackManyChangesExactly() throws Exception {
        h.created(create("/r"));
        for (int i = 0; i < 20; i++) {
            h.created(create("/r/" + i));
        }
        byte[] before = h.snapshot();
        List<Op> ops = new ArrayList<>();
        ops.add(new Op.Delete("/r", -1, true));
        ops.add(mk("/r"));
        for (int i = 0; i < 50; i++) {
            ops.add(new Op.Create("/r/", null, CreateMode.PERSISTENT_SEQUENTIAL, 0));
        }
        ops.add(new Op.Delete("/nothing", -1, false));
        Harness big = new Harness(Harness.restore(before, Limits.DEFAULTS), Limits.DEFAULTS);
        big.failed(txn(List.of(), ops, Collections.emptyList()), ErrorCode.NO_NODE);
        Harness reference = new Harness(Harness.restore(before, Limits.DEFAULTS), Limits.DEFAULTS);
        reference.run(Harness.get("/"));
        assertArrayEquals(reference.snapshot(), big.snapshot());
    }
}

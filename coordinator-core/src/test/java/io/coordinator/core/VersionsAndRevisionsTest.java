package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.coordinator.core.Harness.create;
import static io.coordinator.core.Harness.delete;
import static io.coordinator.core.Harness.deleteAll;
import static io.coordinator.core.Harness.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VersionsAndRevisionsTest {

    private final Harness h = new Harness();

    @Test
    void aSetWithVersionMinusOneAlwaysAppliesAndBumpsVersionModRevisionAndMtime() {
        Stat created = h.created(create("/a")).stat();
        h.created(create("/other"));
        h.nowMillis = 7_000;
        Stat updated = assertInstanceOf(Response.Updated.class, h.run(set("/a", "x", -1))).stat();
        assertEquals(1, updated.version());
        assertEquals(3, updated.modRevision());
        assertEquals(created.createRevision(), updated.createRevision());
        assertEquals(created.ctimeMillis(), updated.ctimeMillis());
        assertEquals(7_000, updated.mtimeMillis());
        assertEquals(1, updated.dataLength());
    }

    @Test
    void aSetWithTheWrongVersionIsBadVersionAndChangesNothing() {
        h.created(create("/a"));
        h.run(set("/a", "one", 0));
        h.failed(set("/a", "two", 0), ErrorCode.BAD_VERSION);
        assertEquals("one", h.data("/a"));
        assertEquals(2, h.machine.revision());
        assertInstanceOf(Response.Updated.class, h.run(set("/a", "two", 1)));
        h.failed(set("/missing", "x", -1), ErrorCode.NO_NODE);
    }

    @Test
    void aDeleteChecksTheExpectedVersion() {
        h.created(create("/a"));
        h.run(set("/a", "x", -1));
        h.failed(delete("/a", 0), ErrorCode.BAD_VERSION);
        assertEquals(new Response.Deleted("/a", 1), h.run(delete("/a", 1)));
        h.failed(delete("/a", -1), ErrorCode.NO_NODE);
    }

    @Test
    void aNodeWithChildrenIsNotEmptyUnlessTheWholeSubtreeIsAskedFor() {
        h.created(create("/a"));
        h.created(create("/a/b"));
        h.created(create("/a/b/c"));
        h.created(create("/a/d"));
        h.failed(delete("/a", -1), ErrorCode.NOT_EMPTY);
        long before = h.machine.revision();
        Applied applied = h.apply(deleteAll("/a"));
        assertEquals(new Response.Deleted("/a", 4), applied.response());
        assertEquals(before + 1, applied.revision());
        assertNull(h.stat("/a"));
        assertEquals(List.of(), h.children("/"));
    }

    @Test
    void aRecursiveDeleteOfALeafDeletesJustTheLeaf() {
        h.created(create("/a"));
        assertEquals(new Response.Deleted("/a", 1), h.run(deleteAll("/a")));
    }

    @Test
    void theParentsCversionAndNumChildrenFollowItsChildren() {
        h.created(create("/p"));
        h.created(create("/p/a"));
        h.created(create("/p/b"));
        Stat p = h.stat("/p");
        assertEquals(2, p.cversion());
        assertEquals(2, p.numChildren());
        assertEquals(0, p.version(), "child changes are not data changes");
        assertEquals(1, p.modRevision(), "child changes do not move the parent's mod revision");
        h.run(delete("/p/a", -1));
        p = h.stat("/p");
        assertEquals(3, p.cversion());
        assertEquals(1, p.numChildren());
    }

    @Test
    void theRevisionGrowsByExactlyOneForEachCommandThatChangesTheTree() {
        assertEquals(0, h.machine.revision());
        assertEquals(1, h.apply(create("/a")).revision());
        assertEquals(2, h.apply(set("/a", "x", -1)).revision());
        assertEquals(2, h.apply(set("/a", "x", 7)).revision(), "failed writes keep the revision");
        long session = h.openSession(5_000);
        assertEquals(2, h.apply(new Command.KeepAlive(List.of(session))).revision(), "sessions alone are no tree change");
        assertEquals(2, h.apply(new Command.LeaderChanged(1)).revision());
        assertEquals(2, h.tick().revision(), "a tick that deletes nothing is no change");
        assertEquals(2, h.machine.read(Harness.get("/a")).revision(), "reads carry the revision they reflect");
        assertEquals(3, h.apply(new Request(session, 0, create("/e", "", CreateMode.EPHEMERAL))).revision());
        assertEquals(4, h.apply(new Command.CloseSession(session, 42)).revision(), "closing deleted an ephemeral");
        assertEquals(4, h.machine.revision());
    }

    @Test
    void everyNodeChangedByOneCommandSharesItsRevision() {
        h.created(create("/a"));
        h.created(create("/a/b"));
        Applied txn = h.apply(new Command.Txn(List.of(), List.of(
                new io.coordinator.core.api.Op.Create("/x", null, CreateMode.PERSISTENT, 0),
                new io.coordinator.core.api.Op.SetData("/a", null, -1),
                new io.coordinator.core.api.Op.Create("/a/c", null, CreateMode.PERSISTENT, 0)), List.of()));
        assertEquals(3, txn.revision());
        assertEquals(3, h.stat("/x").createRevision());
        assertEquals(3, h.stat("/a").modRevision());
        assertEquals(3, h.stat("/a/c").modRevision());
        for (WatchEvent event : txn.events()) {
            assertEquals(3, event.revision());
        }
    }

    @Test
    void timesInTheStatComeFromTheLogTime() {
        h.nowMillis = 123;
        Stat created = h.created(create("/a")).stat();
        assertEquals(123, created.ctimeMillis());
        assertEquals(123, created.mtimeMillis());
    }

    @Test
    void theAppliedIndexFollowsTheLogAndNeverGoesBack() {
        h.machine.apply(Request.of(create("/a")), 5, 0);
        h.machine.apply(Request.of(create("/b")), 5, 0);
        assertEquals(5, h.machine.lastAppliedIndex());
        assertThrows(IllegalArgumentException.class, () -> h.machine.apply(Request.of(create("/c")), 4, 0));
        assertNull(h.stat("/c"));
        h.machine.apply(Request.of(Harness.get("/a")), 9, 0);
        assertEquals(9, h.machine.lastAppliedIndex(), "a read through the log is applied too");
    }
}

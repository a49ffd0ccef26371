package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.core.api.WatchEvent.Type;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.coordinator.core.Harness.bytes;
import static io.coordinator.core.Harness.create;
import static io.coordinator.core.Harness.delete;
import static io.coordinator.core.Harness.deleteAll;
import static io.coordinator.core.Harness.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EventsTest {

    private final Harness h = new Harness();

    private static List<String> trace(Applied applied) {
        return applied.events().stream().map(e -> e.type() + " " + e.path() + " @" + e.revision()).toList();
    }

    @Test
    void aCreateEmitsCreatedWithTheNodeThenChildrenChangedOfItsParent() {
        h.created(create("/p"));
        Applied applied = h.apply(create("/p/c", "hello", CreateMode.PERSISTENT));
        assertEquals(List.of("CREATED /p/c @2", "CHILDREN_CHANGED /p @2"), trace(applied));
        WatchEvent created = applied.events().get(0);
        assertArrayEquals(bytes("hello"), created.data());
        assertEquals(h.stat("/p/c"), created.stat());
        WatchEvent children = applied.events().get(1);
        assertEquals(h.stat("/p"), children.stat(), "the parent's stat after the change");
        assertEquals(0, children.data().length);
    }

    @Test
    void aSetEmitsDataChangedWithTheNewDataAndStat() {
        h.created(create("/a"));
        Applied applied = h.apply(set("/a", "new", -1));
        assertEquals(List.of("DATA_CHANGED /a @2"), trace(applied));
        assertArrayEquals(bytes("new"), applied.events().get(0).data());
        assertEquals(1, applied.events().get(0).stat().version());
    }

    @Test
    void aDeleteEmitsDeletedWithTheStatBeforeThenChildrenChangedOfItsParent() {
        h.created(create("/a", "data", CreateMode.PERSISTENT));
        Stat before = h.stat("/a");
        Applied applied = h.apply(delete("/a", -1));
        assertEquals(List.of("DELETED /a @2", "CHILDREN_CHANGED / @2"), trace(applied));
        assertEquals(before, applied.events().get(0).stat());
        assertEquals(0, applied.events().get(0).data().length);
        assertEquals(0, applied.events().get(1).stat().numChildren());
    }

    @Test
    void aSubtreeDeleteEmitsEventsForEveryNodeEachAfterItsDescendants() {
        for (String path : List.of("/a", "/a/b", "/a/b/x", "/a/c", "/a/c/y", "/a/c/y/z")) {
            h.created(create(path));
        }
        Applied applied = h.apply(deleteAll("/a"));
        assertEquals(List.of("/a/b/x", "/a/b", "/a/c/y/z", "/a/c/y", "/a/c", "/a"), applied.events().stream()
                .filter(e -> e.type() == Type.DELETED).map(WatchEvent::path).toList());
        assertEquals(12, applied.events().size());
        assertEquals("CHILDREN_CHANGED /a/b @7", trace(applied).get(1));
    }

    @Test
    void aContainerCascadeEmitsTheContainersDeletionAfterItsLastChilds() {
        h.created(create("/c", "", CreateMode.CONTAINER));
        h.created(create("/c/x"));
        assertEquals(List.of("DELETED /c/x @3", "CHILDREN_CHANGED /c @3", "DELETED /c @3", "CHILDREN_CHANGED / @3"),
                trace(h.apply(delete("/c/x", -1))));
    }

    @Test
    void aTxnEmitsItsOpsEventsInOrderAtItsRevision() {
        h.created(create("/a"));
        Applied applied = h.apply(new Command.Txn(List.of(), List.of(
                new Op.SetData("/a", null, -1), new Op.Create("/b", null, CreateMode.PERSISTENT, 0),
                new Op.Get("/b"), new Op.Delete("/a", -1, false)), List.of()));
        assertEquals(List.of("DATA_CHANGED /a @2", "CREATED /b @2", "CHILDREN_CHANGED / @2", "DELETED /a @2",
                "CHILDREN_CHANGED / @2"), trace(applied));
    }

    @Test
    void failuresReadsAndDeduplicatedRetriesEmitNothing() {
        h.created(create("/a"));
        h.failed(create("/a"), ErrorCode.NODE_EXISTS);
        assertEquals(List.of(), h.apply(Harness.get("/a")).events());
        long session = h.openSession(5_000);
        assertEquals(2, h.as(session, 1, create("/b")).events().size());
        assertEquals(List.of(), h.as(session, 1, create("/b")).events());
        assertEquals(List.of(), h.apply(new Command.KeepAlive(List.of(session))).events());
    }
}

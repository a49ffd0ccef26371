package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.coordinator.core.Harness.create;
import static io.coordinator.core.Harness.createTtl;
import static io.coordinator.core.Harness.delete;
import static io.coordinator.core.Harness.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeKindsTest {

    private final Harness h = new Harness();

    @Test
    void aCreateNeedsAnExistingParent() {
        h.failed(create("/a/b"), ErrorCode.NO_NODE);
        h.created(create("/a"));
        h.created(create("/a/b"));
    }

    @Test
    void aCreateOfAnExistingPathIsNodeExistsAndChangesNothing() {
        h.created(create("/a", "first", CreateMode.PERSISTENT));
        h.failed(create("/a", "second", CreateMode.PERSISTENT), ErrorCode.NODE_EXISTS);
        assertEquals("first", h.data("/a"));
        assertEquals(1, h.machine.revision());
    }

    @Test
    void anEphemeralNeedsTheRequestersLiveSessionAndIsOwnedByIt() {
        h.failed(create("/e", "", CreateMode.EPHEMERAL), ErrorCode.BAD_ARGUMENTS);
        Harness.failed(h.apply(new Request(99, 0, create("/e", "", CreateMode.EPHEMERAL))), ErrorCode.SESSION_EXPIRED);
        long session = h.openSession(5_000);
        Response.Created created = assertInstanceOf(Response.Created.class,
                h.apply(new Request(session, 0, create("/e", "", CreateMode.EPHEMERAL))).response());
        assertEquals(session, created.stat().ephemeralOwner());
        assertEquals(0, h.created(create("/p")).stat().ephemeralOwner());
    }

    @Test
    void anEphemeralCannotHaveChildren() {
        long session = h.openSession(5_000);
        h.apply(new Request(session, 0, create("/e", "", CreateMode.EPHEMERAL)));
        h.failed(create("/e/child"), ErrorCode.NO_CHILDREN_FOR_EPHEMERALS);
        Harness.failed(h.apply(new Request(session, 0, create("/e/", "", CreateMode.EPHEMERAL_SEQUENTIAL))),
                ErrorCode.NO_CHILDREN_FOR_EPHEMERALS);
    }

    @Test
    void sequentialNamesCarryAZeroPaddedNineteenDigitCounterSoTheySort() {
        h.created(create("/q"));
        List<String> paths = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            paths.add(h.created(create("/q/job-", "", CreateMode.PERSISTENT_SEQUENTIAL)).path());
        }
        assertEquals("/q/job-0000000000000000000", paths.get(0));
        assertEquals("/q/job-0000000000000000011", paths.get(11));
        List<String> names = paths.stream().map(p -> p.substring(3)).toList();
        assertEquals(names, h.children("/q"));
    }

    @Test
    void aSequentialSuffixIsNeverReusedAfterDelete() {
        h.created(create("/q"));
        String first = h.created(create("/q/n", "", CreateMode.PERSISTENT_SEQUENTIAL)).path();
        String second = h.created(create("/q/n", "", CreateMode.PERSISTENT_SEQUENTIAL)).path();
        h.run(delete(second, -1));
        h.run(delete(first, -1));
        assertEquals("/q/n0000000000000000002", h.created(create("/q/n", "", CreateMode.PERSISTENT_SEQUENTIAL)).path());
    }

    @Test
    void sequenceCountersArePerParentAndSharedByAllPrefixesUnderIt() {
        h.created(create("/a"));
        h.created(create("/b"));
        assertEquals("/a/x0000000000000000000", h.created(create("/a/x", "", CreateMode.PERSISTENT_SEQUENTIAL)).path());
        assertEquals("/a/y0000000000000000001", h.created(create("/a/y", "", CreateMode.PERSISTENT_SEQUENTIAL)).path());
        assertEquals("/b/x0000000000000000000", h.created(create("/b/x", "", CreateMode.PERSISTENT_SEQUENTIAL)).path());
    }

    @Test
    void aSequentialCreateThatCollidesIsNodeExistsAndConsumesNoSuffix() {
        h.created(create("/a"));
        h.created(create("/a/x0000000000000000000"));
        h.failed(create("/a/x", "", CreateMode.PERSISTENT_SEQUENTIAL), ErrorCode.NODE_EXISTS);
        h.failed(create("/a/x", "", CreateMode.PERSISTENT_SEQUENTIAL), ErrorCode.NODE_EXISTS);
        h.run(delete("/a/x0000000000000000000", -1));
        assertEquals("/a/x0000000000000000000", h.created(create("/a/x", "", CreateMode.PERSISTENT_SEQUENTIAL)).path());
    }

    @Test
    void aContainerGoesInTheSameRevisionAsItsLastChild() {
        h.created(create("/c", "", CreateMode.CONTAINER));
        h.created(create("/c/1"));
        h.created(create("/c/2"));
        h.run(delete("/c/1", -1));
        assertNotNull(h.stat("/c"));
        long before = h.machine.revision();
        Applied applied = h.apply(delete("/c/2", -1));
        assertEquals(before + 1, applied.revision());
        assertNull(h.stat("/c"));
    }

    @Test
    void emptiedContainersCascadeUpwardUntilANodeThatIsNotAnEmptyContainer() {
        h.created(create("/p"));
        h.created(create("/p/c1", "", CreateMode.CONTAINER));
        h.created(create("/p/c1/c2", "", CreateMode.CONTAINER));
        h.created(create("/p/c1/c2/leaf"));
        h.run(delete("/p/c1/c2/leaf", -1));
        assertNull(h.stat("/p/c1/c2"));
        assertNull(h.stat("/p/c1"));
        assertNotNull(h.stat("/p"));
    }

    @Test
    void aContainerThatNeverHadAChildStays() {
        h.created(create("/c", "", CreateMode.CONTAINER));
        h.nowMillis += 1_000_000;
        h.tick();
        assertNotNull(h.stat("/c"));
    }

    @Test
    void aTtlIsRequiredForTtlModesAndRefusedForTheOthers() {
        h.failed(createTtl("/t", CreateMode.PERSISTENT_WITH_TTL, 0), ErrorCode.BAD_ARGUMENTS);
        h.failed(createTtl("/t", CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, -5), ErrorCode.BAD_ARGUMENTS);
        h.failed(createTtl("/t", CreateMode.PERSISTENT, 100), ErrorCode.BAD_ARGUMENTS);
        h.failed(createTtl("/t", CreateMode.CONTAINER, 100), ErrorCode.BAD_ARGUMENTS);
        h.created(createTtl("/t", CreateMode.PERSISTENT_WITH_TTL, 100));
        assertTrue(h.created(createTtl("/t/", CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, 100)).path()
                .endsWith("0000000000000000000"));
    }

    @Test
    void aTtlNodeGoesAtTheFirstTickAtOrAfterItsMtimePlusTtl() {
        h.created(createTtl("/t", CreateMode.PERSISTENT_WITH_TTL, 500));
        h.nowMillis += 499;
        h.tick();
        assertNotNull(h.stat("/t"));
        h.nowMillis += 1;
        long before = h.machine.revision();
        assertEquals(before + 1, h.tick().revision());
        assertNull(h.stat("/t"));
    }

    @Test
    void settingATtlNodeRestartsItsTtl() {
        h.created(createTtl("/t", CreateMode.PERSISTENT_WITH_TTL, 500));
        h.nowMillis += 400;
        h.run(set("/t", "touched", -1));
        h.nowMillis += 400;
        h.tick();
        assertNotNull(h.stat("/t"));
        h.nowMillis += 100;
        h.tick();
        assertNull(h.stat("/t"));
    }

    @Test
    void aTtlNodeWithChildrenStaysUntilItIsChildless() {
        h.created(createTtl("/t", CreateMode.PERSISTENT_WITH_TTL, 500));
        h.created(create("/t/child"));
        h.nowMillis += 10_000;
        h.tick();
        assertNotNull(h.stat("/t"));
        h.run(delete("/t/child", -1));
        assertNotNull(h.stat("/t"), "only a tick deletes a TTL node");
        h.tick();
        assertNull(h.stat("/t"));
    }

    @Test
    void aTtlParentLeftChildlessByTheSameTickGoesInThatTick() {
        h.created(createTtl("/t", CreateMode.PERSISTENT_WITH_TTL, 500));
        h.created(create("/t/c", "", CreateMode.CONTAINER));
        h.created(createTtl("/t/c/inner", CreateMode.PERSISTENT_WITH_TTL, 500));
        h.nowMillis += 500;
        long before = h.machine.revision();
        Applied tick = h.tick();
        assertEquals(before + 1, tick.revision());
        assertNull(h.stat("/t"));
        assertEquals(List.of("/t/c/inner", "/t/c", "/t/c", "/t", "/t", "/"),
                tick.events().stream().map(e -> e.path()).toList());
    }

    @Test
    void persistentNodesOutliveTicksAndSessions() {
        long session = h.openSession(2_000);
        h.apply(new Request(session, 0, create("/p")));
        h.nowMillis += 1_000_000;
        h.tick();
        Stat stat = h.stat("/p");
        assertNotNull(stat);
        assertEquals(0, stat.ephemeralOwner());
        assertEquals(Response.Done.class, h.apply(new Command.Tick(0)).response().getClass());
    }
}

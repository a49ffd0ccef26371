package io.coordinator.core;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.coordinator.core.Harness.bytes;
import static io.coordinator.core.Harness.create;
import static io.coordinator.core.Harness.delete;
import static io.coordinator.core.Harness.get;
import static io.coordinator.core.Harness.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class PathRulesTest {

    private final Harness h = new Harness();

    @ParameterizedTest
    @ValueSource(strings = {"/a", "/a.b", "/..a", "/a..", "/.hidden", "/a b", "/\u65e5\u672c", "/\ud83d\ude00", "/a-b_c"})
    void wellFormedPathsAreAccepted(String path) {
        assertEquals(path, h.created(create(path)).path());
        assertInstanceOf(Response.Data.class, h.machine.read(get(path)).response());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "a/b", "/a/", "//", "/a//b", "/.", "/..", "/a/.", "/a/../b", "/a/./b",
            "/a\u0000b", "/a\u001fb", "/a\u007f", "/a\u0085", "/\ud800", "/\udc00x", "/a\nb"})
    void malformedPathsAreInvalidForEveryOperation(String path) {
        h.created(create("/a"));
        List<Op> ops = List.of(new Op.Create(path, null, CreateMode.PERSISTENT, 0), new Op.SetData(path, null, -1),
                new Op.Delete(path, -1, true), new Op.Get(path), new Op.Exists(path), new Op.Children(path, true));
        for (Op op : ops) {
            Harness.failed(h.apply(new Command.Execute(op)), ErrorCode.INVALID_PATH);
        }
        assertEquals(1, h.machine.revision(), "nothing but /a was written");
    }

    @Test
    void thePathLengthLimitCountsUtf8BytesAndIsTooLarge() {
        Harness small = new Harness(new Limits(100, 10, 1_000, 10_000, 8, 8));
        small.created(create("/123456789"));
        small.failed(create("/1234567890"), ErrorCode.TOO_LARGE);
        small.created(create("/\u00e9\u00e9\u00e9\u00e9"));
        small.failed(create("/\u00e9\u00e9\u00e9\u00e9\u00e9"), ErrorCode.TOO_LARGE);
        small.failed(get("/1234567890"), ErrorCode.TOO_LARGE);
    }

    @Test
    void aSequentialPathMustFitWithItsNineteenDigitSuffix() {
        Harness small = new Harness(new Limits(100, 22, 1_000, 10_000, 8, 8));
        assertEquals("/ab0000000000000000000", small.created(create("/ab", "", CreateMode.PERSISTENT_SEQUENTIAL)).path());
        small.failed(create("/abc", "", CreateMode.PERSISTENT_SEQUENTIAL), ErrorCode.TOO_LARGE);
    }

    @Test
    void aSequentialCreateMayEndInASlashBecauseTheNameIsTheCounter() {
        h.created(create("/q"));
        assertEquals("/q/0000000000000000000", h.created(create("/q/", "", CreateMode.PERSISTENT_SEQUENTIAL)).path());
        assertEquals("/0000000000000000000", h.created(create("/", "", CreateMode.PERSISTENT_SEQUENTIAL)).path());
        h.failed(create("/q//", "", CreateMode.PERSISTENT_SEQUENTIAL), ErrorCode.INVALID_PATH);
    }

    @Test
    void theRootAlwaysExistsAndCanBeNeitherCreatedNorDeleted() {
        h.failed(create("/"), ErrorCode.INVALID_PATH);
        h.failed(delete("/", -1), ErrorCode.INVALID_PATH);
        h.failed(Harness.deleteAll("/"), ErrorCode.INVALID_PATH);
        assertEquals(0, h.machine.revision());
        assertInstanceOf(Response.Updated.class, h.run(set("/", "root data", -1)));
        assertEquals("root data", h.data("/"));
    }

    @Test
    void dataOverTheLimitIsTooLargeAndDataAtTheLimitIsFine() {
        Harness small = new Harness(new Limits(4, 100, 1_000, 10_000, 8, 8));
        small.created(create("/a", "1234", CreateMode.PERSISTENT));
        small.failed(create("/b", "12345", CreateMode.PERSISTENT), ErrorCode.TOO_LARGE);
        small.failed(set("/a", "12345", -1), ErrorCode.TOO_LARGE);
        small.failed(new Command.Execute(new Op.Create("/c", bytes("\u00e9\u00e9\u00e9"), CreateMode.PERSISTENT, 0)),
                ErrorCode.TOO_LARGE);
        assertEquals("1234", small.data("/a"));
    }
}

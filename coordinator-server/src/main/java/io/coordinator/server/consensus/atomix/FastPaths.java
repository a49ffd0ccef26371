package io.coordinator.server.consensus.atomix;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The adapter's fast paths: the places where it reaches into Atomix internals by reflection to
 * avoid a slow part of the library, and falls back to the library's own (slower) way when that
 * fails. A fallback only logs one warning, so a library change would show as a silent slowdown;
 * each path therefore reports whether it is active, and the member exports that as
 * {@code coordinator_fast_path_active{path=...}} (see the package documentation for the list).
 */
final class FastPaths {
    private FastPaths() {
    }

    /** Each fast path by name, true while active; always the same names, in the same order. */
    static Map<String, Boolean> report(CommitAnnouncer commits, Compactor compactor) {
        Map<String, Boolean> paths = new LinkedHashMap<>();
        paths.put(CommitAnnouncer.FAST_PATH, commits.active());
        paths.put(Compactor.FAST_PATH, compactor.active());
        return paths;
    }
}

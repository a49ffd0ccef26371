package io.coordinator.client.cli;

/**
 * Where the recipe commands keep their nodes: a NAME is a child of the recipe's own directory
 * ({@code ctl lock orders} is the mutex {@code /locks/orders}), and a NAME that starts with '/' is
 * taken as the full path, to share a lock, an election or a group with a program that uses another.
 */
final class RecipeNames {
    static final String LOCKS = "/locks";
    static final String ELECTIONS = "/election";
    static final String COUNTERS = "/counters";
    static final String GROUPS = "/groups";

    private RecipeNames() {
    }

    static String path(String dir, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a name must not be empty");
        }
        return name.startsWith("/") ? name : dir + "/" + name;
    }

    /** The session TTL that recipe commands ask for, checked like every other argument before connecting. */
    static long ttl(long ttlMillis) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("--ttl-ms must be positive");
        }
        return ttlMillis;
    }
}

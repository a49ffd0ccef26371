package io.coordinator.client.recipes;

import io.coordinator.core.api.Stat;

import java.util.Arrays;
import java.util.Objects;

/**
 * One node of a {@link TreeCache}: its data and stat as of the cache's revision.
 *
 * @param path absolute path
 */
public record CachedNode(String path, byte[] data, Stat stat) {
    public CachedNode {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(stat, "stat");
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CachedNode n && path.equals(n.path) && stat.equals(n.stat) && Arrays.equals(data, n.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, stat, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "CachedNode[" + path + " v" + stat.version() + " mod " + stat.modRevision() + " " + data.length + " bytes]";
    }
}

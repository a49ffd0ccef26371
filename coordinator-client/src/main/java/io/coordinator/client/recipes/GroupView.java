package io.coordinator.client.recipes;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The members of a group as of one revision: one atomic read, never a mix of two moments.
 *
 * @param members  member id to the data it joined with, sorted by id
 * @param revision the revision the view reflects
 */
public record GroupView(SortedMap<String, byte[]> members, long revision) {
    public GroupView {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        members.forEach((id, data) -> copy.put(id, data.clone()));
        members = Collections.unmodifiableSortedMap(copy);
    }

    /** Same ids with the same data (the revision aside). */
    public boolean sameMembers(GroupView other) {
        if (other == null || !members.keySet().equals(other.members.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : members.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.members.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupView v && revision == v.revision && sameMembers(v);
    }

    @Override
    public int hashCode() {
        return Objects.hash(members.keySet(), revision);
    }

    @Override
    public String toString() {
        return "GroupView" + members.keySet() + "@" + revision;
    }
}

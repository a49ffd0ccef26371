package io.coordinator.client;

import io.coordinator.core.api.Stat;

import java.util.List;

/**
 * @param names      sorted child names (not full paths)
 * @param stats      the children's stats in the same order; empty unless asked for
 * @param parentStat the stat of the listed node
 * @param revision   the revision the read reflects
 */
public record ChildrenResult(List<String> names, List<Stat> stats, Stat parentStat, long revision) {
    public ChildrenResult {
        names = List.copyOf(names);
        stats = List.copyOf(stats);
    }
}

package io.coordinator.client;

import io.coordinator.core.api.Stat;

/**
 * @param path     the created path, with the sequence suffix for sequential nodes
 * @param revision the revision of the create
 */
public record CreateResult(String path, Stat stat, long revision) {
}

package io.coordinator.client;

/**
 * @param count    how many nodes went (more than one for a subtree delete)
 * @param revision the revision of the delete
 */
public record DeleteResult(String path, int count, long revision) {
}

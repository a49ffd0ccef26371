package io.coordinator.core.api;

/**
 * The metadata of a node, as of the revision of the read that returned it.
 *
 * @param createRevision  revision of the write that created the node
 * @param modRevision     revision of the last write to its data (equals createRevision until set)
 * @param version         number of data changes since creation
 * @param cversion        number of child creations and deletions since creation
 * @param ephemeralOwner  owning session id, or 0 for a node that is not ephemeral
 * @param dataLength      length of the data in bytes
 * @param numChildren     number of direct children
 * @param ctimeMillis     log time of the creation
 * @param mtimeMillis     log time of the last data change
 */
public record Stat(long createRevision, long modRevision, int version, int cversion, long ephemeralOwner,
                   int dataLength, int numChildren, long ctimeMillis, long mtimeMillis) {
}

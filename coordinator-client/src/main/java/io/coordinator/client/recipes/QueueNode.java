package io.coordinator.client.recipes;

/**
 * One contender's ephemeral sequential node in a recipe's directory.
 *
 * @param path           full path, with the sequence suffix
 * @param createRevision the revision that created it: the fencing token of whatever it is granted
 * @param sessionId      the session that owns it (its ephemeralOwner)
 */
record QueueNode(String path, long createRevision, long sessionId) {

    String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}

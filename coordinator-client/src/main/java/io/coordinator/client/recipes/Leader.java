package io.coordinator.client.recipes;

/**
 * The leader of an election as of a read.
 *
 * @param nodePath the leader's candidate node
 * @param value    what it proclaimed (its campaign value, or the last {@link Leadership#proclaim})
 * @param token    its fencing token: the node's createRevision, larger than every earlier leader's
 * @param revision the revision the read reflects
 */
public record Leader(String nodePath, byte[] value, long token, long revision) {
    public Leader {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    boolean sameAs(Leader other) {
        return other != null && nodePath.equals(other.nodePath) && token == other.token
                && java.util.Arrays.equals(value, other.value);
    }
}

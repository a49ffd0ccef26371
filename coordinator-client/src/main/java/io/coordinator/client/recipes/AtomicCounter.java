package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.GetResult;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A 64-bit counter in one persistent node, its value as decimal text (readable with {@code ctl get}).
 *
 * <h2>Safety</h2>
 * {@link #add} is a compare-and-set loop on the node's version: read value and version, write
 * value + delta expecting that version. Two adders that read the same version cannot both succeed:
 * the state machine applies their writes in log order and the second sees a newer version
 * (BAD_VERSION) and tries again from a fresh read. So no increment is lost and none is applied
 * twice. A write whose outcome is unknown (TIMEOUT, after the client's own retries with the
 * session's de-dup sequence) is not retried here, since a new compare-and-set could apply the
 * delta a second time: it is thrown, and the caller decides.
 *
 * <h2>Sessions</h2>
 * The node is persistent: SUSPENDED, RECONNECTED and LOST change nothing. A call under way when the
 * connection drops is retried by the client on another member.
 */
public final class AtomicCounter {
    private static final int ATTEMPTS_MAX = 1_000;

    private final Coordinator client;
    private final String path;

    /** @param path the counter's node; created at 0 on first use, with missing ancestors */
    public AtomicCounter(Coordinator client, String path) {
        this.client = Objects.requireNonNull(client, "client");
        this.path = Objects.requireNonNull(path, "path");
    }

    /** The current value (linearizable read); 0 when the node does not exist yet. */
    public long get() {
        try {
            return parse(client.get(path));
        } catch (CoordinatorException.NoNodeException e) {
            return 0;
        }
    }

    /** Adds 1 and returns the new value. */
    public long increment() {
        return add(1);
    }

    /**
     * Adds {@code delta} atomically and returns the new value.
     *
     * @throws CoordinatorException TIMEOUT when the outcome of the last write is unknown; OVERLOADED
     *                              when {@value #ATTEMPTS_MAX} compare-and-sets in a row lost to
     *                              other writers; MALFORMED when the node holds no number;
     *                              {@link ArithmeticException} on overflow
     */
    public long add(long delta) {
        for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
            GetResult current;
            try {
                current = client.get(path);
            } catch (CoordinatorException.NoNodeException e) {
                create();
                continue;
            }
            long next = Math.addExact(parse(current), delta);
            try {
                client.set(path, Long.toString(next).getBytes(StandardCharsets.UTF_8), current.stat().version());
                return next;
            } catch (CoordinatorException.BadVersionException | CoordinatorException.NoNodeException e) {
                // another writer got in first (or deleted it): read again
            }
        }
        throw new CoordinatorException(ErrorCode.OVERLOADED, "counter " + path + ": " + ATTEMPTS_MAX
                + " compare-and-sets in a row lost to other writers");
    }

    private void create() {
        for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
            createIfMissing(path.substring(0, slash), new byte[0]);
        }
        createIfMissing(path, "0".getBytes(StandardCharsets.UTF_8));
    }

    private void createIfMissing(String node, byte[] data) {
        try {
            client.create(node, data, CreateMode.PERSISTENT);
        } catch (CoordinatorException.NodeExistsException e) {
            // someone else made it
        }
    }

    private long parse(GetResult got) {
        String text = got.dataUtf8().trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new CoordinatorException(ErrorCode.MALFORMED, "counter " + path + " holds no number: " + text);
        }
    }
}

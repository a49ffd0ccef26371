package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;

import java.util.List;
import java.util.Objects;

/**
 * A fair read-write lock across processes: many readers or one writer, granted in request order,
 * each grant a {@link Lease} with a fencing token.
 *
 * <pre>{@code
 * DistributedReadWriteLock rw = new DistributedReadWriteLock(client, "/locks/catalog");
 * Lease read = rw.readLock().lock();        // shared with other readers
 * try { ... } finally { rw.readLock().unlock(); }
 * Lease write = rw.writeLock().lock();      // alone: no reader, no other writer
 * try {
 *     write.fence().set("/catalog/v", bytes, -1);   // refused once this grant is gone
 * } finally {
 *     rw.writeLock().unlock();
 * }
 * }</pre>
 *
 * <h2>How it works, and why it is safe</h2>
 * One queue ({@code Contender}, as for {@link DistributedMutex}): a reader creates an
 * EPHEMERAL_SEQUENTIAL node {@code read-<random>-<sequence>}, a writer {@code write-<random>-<sequence>},
 * in the lock's directory (a container made on first use). As of a linearizable read of the queue:
 * <ul>
 * <li>a reader holds once no node ahead of it is exclusive (every node that is not a {@code read-}
 *     node counts as exclusive, so a mutex's node in the same directory is respected too);</li>
 * <li>a writer holds once it is first.</li>
 * </ul>
 * Each condition, once true, stays true until the node goes: nodes only leave from ahead, never jump
 * in (sequences only grow; the directory is recreated only once empty). So while a writer holds, it
 * is first at every revision: no writer is ahead of it, and any reader is behind it, so that reader
 * has a writer ahead and does not hold. Hence never a writer together with anyone else, while any
 * number of readers with no writer ahead hold together.
 *
 * <p>Fairness and no writer starvation follow from the single queue: a reader queues behind any
 * earlier writer, however many readers hold; a writer waits for every earlier node, reader or writer,
 * and nothing later. Grants follow request order, except that consecutive readers go together.
 *
 * <p>Waiters watch only what they must, one node each: a reader the nearest exclusive node ahead of
 * it (earlier ones can only leave, and while that one stays the reader cannot hold), a writer the node
 * just ahead. A writer's release wakes the run of readers behind it (all of whom now hold) or the one
 * writer behind it; a reader's release wakes at most the one node behind it.
 *
 * <h2>Fencing</h2>
 * A grant's token is its node's createRevision and {@link Lease#fence()} guards Coordinator writes as
 * for the mutex. A writer's token is larger than that of every grant that ended before it began
 * (every such node was created before it). Readers hold together, so tokens alone do not order an
 * outside resource's readers; route writes through a fenced Coordinator write, or have the resource
 * refuse tokens below the highest write token it has seen.
 *
 * <h2>Sessions</h2>
 * As for {@link DistributedMutex}, for either side:
 * <ul>
 * <li>SUSPENDED: nothing changes. A holder keeps its {@link Lease} ({@link Lease#isHeld()} stays true,
 *     the session may be alive): pause unfenced work. Waiters keep waiting; their watches move with
 *     the client.</li>
 * <li>RECONNECTED: the same session, so the node and the grant are still there.</li>
 * <li>LOST: the node goes with the session, which lets the next in line in. {@link Lease#isHeld()}
 *     turns false, waiters fail with {@link LockLostException} within about 200 ms, fenced writes of
 *     the lost grant are refused; {@code unlock()} still balances the holds. Lock again to queue with
 *     the client's new session.</li>
 * </ul>
 *
 * <h2>Re-entrancy and threads</h2>
 * Each side is re-entrant per (lock object, thread), like {@link DistributedMutex}. Upgrading (the
 * write lock while holding the read lock) and downgrading (the read lock while holding the write
 * lock) are refused with {@link IllegalMonitorStateException}: the new node would queue behind the
 * thread's own, which for an upgrade waits forever. Release one side, then take the other.
 */
public final class DistributedReadWriteLock {
    static final String READ_PREFIX = "read-";
    static final String WRITE_PREFIX = "write-";

    private final String path;
    private final QueuedLock read;
    private final QueuedLock write;

    /** @param path the lock's directory, e.g. {@code /locks/catalog}; created on first use */
    public DistributedReadWriteLock(Coordinator client, String path) {
        Objects.requireNonNull(client, "client");
        this.path = Objects.requireNonNull(path, "path");
        Contender contender = new Contender(client, path);
        this.read = new QueuedLock(client, contender, READ_PREFIX, DistributedReadWriteLock::readerTurn,
                () -> writeLock().holdCount() > 0, "this thread holds the write lock: no downgrade, unlock it first");
        this.write = new QueuedLock(client, contender, WRITE_PREFIX, DistributedReadWriteLock::writerTurn,
                () -> readLock().holdCount() > 0, "this thread holds the read lock: no upgrade, unlock it first");
    }

    public String path() {
        return path;
    }

    /** The shared side: held together with other readers, never with a writer. */
    public DistributedLock readLock() {
        return read;
    }

    /** The exclusive side: held alone. */
    public DistributedLock writeLock() {
        return write;
    }

    /** A reader waits for the nearest exclusive node ahead of it; none ahead: it holds. */
    static List<String> readerTurn(List<String> queue, int index) {
        for (int i = index - 1; i >= 0; i--) {
            if (!queue.get(i).startsWith(READ_PREFIX)) {
                return List.of(queue.get(i));
            }
        }
        return List.of();
    }

    /** A writer waits for the node just ahead of it; first in line: it holds. */
    static List<String> writerTurn(List<String> queue, int index) {
        return DistributedMutex.predecessor(queue, index);
    }
}

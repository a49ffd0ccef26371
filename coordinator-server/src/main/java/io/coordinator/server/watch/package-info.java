/**
 * Watches on a member: the bounded history of recent events and the live watches of its client
 * connections ({@link io.coordinator.server.watch.WatchHub}), and the writer that puts their
 * traffic on a connection ({@link io.coordinator.server.watch.ChannelOutput}).
 *
 * <h2>Design note</h2>
 * <ul>
 * <li><b>Kinds.</b> DATA, EXISTS, CHILDREN are one-shot with ZooKeeper's meaning and end after
 *     their first notification; PERSISTENT sees every event of exactly its path;
 *     PERSISTENT_RECURSIVE every event of its path and subtree, CHILDREN_CHANGED included
 *     (ZooKeeper's recursive watch leaves them out; here they carry the parent's new cversion and
 *     child count, which a cache of the subtree can use).</li>
 * <li><b>From a revision.</b> Every watch starts at a revision (0 = the member's next one) and gets
 *     every matching event from there: first from the history, then live. The history keeps whole
 *     revisions, bounded by {@code limits.watch-history-events-max} and
 *     {@code limits.watch-history-bytes-max}; older is COMPACTED, with the oldest revision kept. A
 *     revision the member has not reached waits up to {@code consensus.proposal-timeout-millis},
 *     then fails with BAD_ARGUMENTS ("revision from the future"). A snapshot install restarts the
 *     history after the snapshot's revision and ends the watches it would leave with a gap
 *     (COMPACTED, pushed).</li>
 * <li><b>Per watch: in order, no gaps, no duplicates, one frame per revision.</b> The replicated
 *     tree hands each batch's events to the hub under its own lock, in revision order; the hub
 *     groups them by revision and sends each watch one notification per revision (split over
 *     frames marked {@code continued} only when it would not fit one). A new watch is answered,
 *     replayed and made live under the hub's lock, which live dispatch also holds, so nothing
 *     interleaves.</li>
 * <li><b>Per connection: an event before any answer of a later revision.</b> Three rules make it:
 *     (1) events are handed to the connection before their revision becomes visible to reads,
 *     revision waiters or status; (2) the request pipeline holds an answer the log gave (the
 *     leader may answer before this member applied the entry) until this member applied its
 *     revision; (3) every write to a client connection, answers included, is a task on the
 *     channel's event loop, never a direct write, so Netty's FIFO task queue keeps the order in
 *     which they were handed over. Rule (2) also gives read-your-writes for serializable reads on
 *     the member that answered the write.</li>
 * <li><b>Bounds.</b> {@code limits.watches-per-connection-max} (one more gets TOO_LARGE, nothing
 *     registered: it is a bound on what a client holds, not a transient overload, so a retry
 *     elsewhere would not help); {@code limits.watch-pending-bytes-max} of unwritten events per
 *     connection, past which the slow reader gets an ERROR frame (OVERLOADED) and is closed; it
 *     resumes from its last revision, as after any lost connection.</li>
 * <li><b>Not yet.</b> Progress notifications (a watch on a quiet path cannot tell a member cut off
 *     from the cluster from one where nothing happens; the client notices only when its calls or
 *     session keep-alives fail there). Only the count of active watches is exported as a metric;
 *     the hub's other counters are not wired yet.</li>
 * </ul>
 */
package io.coordinator.server.watch;

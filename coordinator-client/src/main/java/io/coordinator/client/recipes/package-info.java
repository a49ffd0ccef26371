/**
 * Recipes built on the public client API only: nothing here is known to the members or the state
 * machine. Each class states its safety argument and what it does when the session is SUSPENDED,
 * RECONNECTED or LOST.
 *
 * <ul>
 * <li>{@link io.coordinator.client.recipes.DistributedMutex}: a fair, re-entrant lock whose grants
 *     ({@link io.coordinator.client.recipes.Lease}) carry a fencing token, the createRevision of the
 *     holder's node, strictly growing from grant to grant.</li>
 * <li>{@link io.coordinator.client.recipes.DistributedReadWriteLock}: many readers or one writer, fair
 *     in request order (a reader queues behind any earlier writer); each side a
 *     {@link io.coordinator.client.recipes.DistributedLock} like the mutex.</li>
 * <li>{@link io.coordinator.client.recipes.Fence}: writes and transactions that are applied only while
 *     a grant is in force, refused with {@link io.coordinator.client.recipes.FencingException}
 *     afterwards; {@link io.coordinator.client.recipes.FencedResource} shows the same check in a
 *     resource outside Coordinator.</li>
 * <li>{@link io.coordinator.client.recipes.LeaderElection}: campaign (blocking or async), proclaim,
 *     resign, observe; each term ({@link io.coordinator.client.recipes.Leadership}) has a fencing
 *     token and a future that completes the moment the caller may no longer act as leader.</li>
 * <li>{@link io.coordinator.client.recipes.DistributedSemaphore}: N permits, each a fenced
 *     {@link io.coordinator.client.recipes.Lease}; never more than N held at any revision.</li>
 * <li>{@link io.coordinator.client.recipes.DistributedBarrier} (wait until removed) and
 *     {@link io.coordinator.client.recipes.DistributedDoubleBarrier} (enter until N have entered,
 *     leave until all have left).</li>
 * <li>{@link io.coordinator.client.recipes.DistributedQueue}: a FIFO queue of persistent sequential
 *     items, each taken by exactly one consumer, in offer order.</li>
 * <li>{@link io.coordinator.client.recipes.GroupMembership}: join (an ephemeral node per member),
 *     leave, atomic views of the members, a listener that hears every change in revision order.</li>
 * <li>{@link io.coordinator.client.recipes.TreeCache}: a local copy of a subtree (configuration),
 *     loaded at one revision and followed from the next, rebuilt after COMPACTED, with a listener.</li>
 * <li>{@link io.coordinator.client.recipes.AtomicCounter}: a compare-and-set loop on a node's version;
 *     no increment lost or applied twice.</li>
 * </ul>
 *
 * <p>Ordered recipes share one mechanism ({@code Contender}): ephemeral sequential nodes in a
 * container directory, each waiter watching only the node(s) it must (the one just ahead for a
 * mutex, a writer or an election candidate; the nearest writer ahead for a reader; N for a
 * semaphore). See {@code RECIPES.md} in this module for the guide.
 */
package io.coordinator.client.recipes;

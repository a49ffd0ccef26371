/**
 * {@link io.coordinator.server.consensus.ReplicatedLog} on atomix-raft 3.1.12. Every Atomix type
 * used by the server stays inside this package; see {@link io.coordinator.server.consensus.atomix.AtomixReplicatedLog}
 * for how the parts fit and each class for the Atomix behaviour it works around.
 *
 * <h2>Fast paths</h2>
 * Two parts reach into Atomix internals by reflection, to avoid a slow part of the library, and fall
 * back to the library's own way when that fails (a different Atomix on the classpath). A fallback is
 * correct but slower, and would otherwise show only as one warning in the log, so each reports
 * whether it is active: {@link io.coordinator.server.consensus.ReplicatedLog#fastPaths()}, exported
 * by the member as the gauge {@code coordinator_fast_path_active{path="..."}} (1 active, 0 fallen
 * back) on {@code /metrics}; the test {@code ConsensusFastPathsTest} fails when any is 0 on a
 * running member.
 * <ul>
 *   <li>{@code commit_announcer}, {@link io.coordinator.server.consensus.atomix.CommitAnnouncer}:
 *       calls the leader's private appender ({@code LeaderRole.appender.appendEntries(member)}) so
 *       that followers learn a new commit index at once. Fallback: at the next heartbeat.</li>
 *   <li>{@code compactor}, {@link io.coordinator.server.consensus.atomix.Compactor}: calls the
 *       package-private {@code RaftServiceManager.snapshot()} so that a snapshot compacts the log at
 *       once. Fallback: {@code RaftContext.compact()}, which compacts 14-23 s later.</li>
 * </ul>
 * The other workarounds ({@link io.coordinator.server.consensus.atomix.LeadershipTracker},
 * {@link io.coordinator.server.consensus.atomix.LogDurability},
 * {@link io.coordinator.server.consensus.atomix.SessionPool}) use Atomix's public or
 * {@code impl} classes through ordinary, compile-time linked calls and have no fallback: a library
 * change breaks the build or fails loudly, it cannot quietly slow a member down.
 */
package io.coordinator.server.consensus.atomix;

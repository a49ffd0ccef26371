/**
 * {@link io.coordinator.server.consensus.ReplicatedLog} on atomix-raft 3.1.12. Every Atomix type
 * used by the server stays inside this package; see {@link io.coordinator.server.consensus.atomix.AtomixReplicatedLog}
 * for how the parts fit and each class for the Atomix behaviour it works around.
 */
package io.coordinator.server.consensus.atomix;

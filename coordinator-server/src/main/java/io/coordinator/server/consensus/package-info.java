/**
 * The consensus adapter: a replicated log behind a narrow interface of our own.
 *
 * <h2>Design note</h2>
 *
 * <p>The server sees {@link io.coordinator.server.consensus.ReplicatedLog} (propose, linearizable
 * read, compact, status) and implements {@link io.coordinator.server.consensus.LogStateMachine}
 * (apply, query, snapshot). The implementation, in {@code consensus.atomix}, runs atomix-raft
 * 3.1.12; no Atomix type leaves that package. {@code consensus.transport} is the member-to-member
 * Netty transport it uses, and knows nothing of Raft.
 *
 * <ul>
 *   <li><b>Time</b> enters the state machine only as {@code logTimeMillis}: the leader's clock when
 *       it appended the entry, kept monotonic along the log.</li>
 *   <li><b>Durability</b>: an entry is fsynced by the leader before it is replicated and by each
 *       follower before it is acknowledged, so it is on disk on a majority before it commits
 *       (Atomix's own flushOnCommit forces only after the commit; see {@code LogDurability}).</li>
 *   <li><b>Latency</b>: the log is memory-mapped (Atomix's DISK level re-reads megabytes of segment
 *       per proposal), and a leader sends a new commit index to followers at once rather than with
 *       its next heartbeat, so a follower applies an entry about when the leader does.</li>
 *   <li><b>Throughput</b> comes from batching many client requests into one proposal; each member
 *       keeps {@code sessionsPerMember} proposals in flight, one per internal log session, because
 *       Atomix 3.1.12 stalls a session that has two commands in flight (atomix/atomix#1044).</li>
 *   <li><b>Outcomes</b> are explicit: UNAVAILABLE means the command never reached the log, TIMEOUT
 *       means it may have. Nothing waits without a bound.</li>
 *   <li><b>Fail-over</b>: a connection that drops to a peer that then refuses new connections is
 *       reported to Raft as a departed member, so its followers elect at once instead of waiting
 *       1-2 election timeouts; the local log client is told the new leader as soon as the local
 *       Raft server knows it.</li>
 *   <li><b>Reads</b> are Atomix LINEARIZABLE queries (quorum-confirmed leadership), refused on a
 *       leader that has not yet applied the entries of earlier terms.</li>
 * </ul>
 */
package io.coordinator.server.consensus;

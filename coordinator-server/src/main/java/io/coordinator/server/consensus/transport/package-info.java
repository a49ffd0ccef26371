/**
 * Member-to-member messaging over TCP (Netty): length-prefixed frames, request/response with
 * correlation ids and timeouts, one-way messages, a small connection pool per peer, and fast
 * detection of a peer process that went away. Raft-agnostic.
 */
package io.coordinator.server.consensus.transport;

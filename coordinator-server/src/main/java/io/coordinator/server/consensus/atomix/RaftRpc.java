package io.coordinator.server.consensus.atomix;

/**
 * The Raft messages carried by the transport, with their wire type numbers (never reuse one) and
 * their lane: replication and elections keep their order on one connection, log-client traffic
 * goes on another so that large appends do not hold up a proposal.
 */
enum RaftRpc {
    OPEN_SESSION(1, Lane.CLIENT),
    CLOSE_SESSION(2, Lane.CLIENT),
    KEEP_ALIVE(3, Lane.CLIENT),
    QUERY(4, Lane.CLIENT),
    COMMAND(5, Lane.CLIENT),
    METADATA(6, Lane.CLIENT),
    JOIN(7, Lane.RAFT),
    LEAVE(8, Lane.RAFT),
    CONFIGURE(9, Lane.RAFT),
    RECONFIGURE(10, Lane.RAFT),
    INSTALL(11, Lane.RAFT),
    POLL(13, Lane.RAFT),
    VOTE(14, Lane.RAFT),
    APPEND(15, Lane.RAFT),
    /** Leader to a member's log client (request/response). */
    HEARTBEAT(16, Lane.CLIENT),
    /** Server to a member's log client, one-way: session events (unused by us, carried anyway). */
    PUBLISH(17, Lane.CLIENT),
    /** Log client to servers, one-way. */
    RESET(18, Lane.CLIENT);

    enum Lane { RAFT, CLIENT }

    final int code;
    final int lane;

    RaftRpc(int code, Lane lane) {
        this.code = code;
        this.lane = lane.ordinal();
    }
}

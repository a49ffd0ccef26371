package io.coordinator.jepsen.cluster;

/** What a {@link FaultProxy} does with the traffic of its link. */
public enum LinkMode {
    /** Forwards bytes both ways, as if the proxy were not there. */
    PASS,
    /**
     * A real cut: connections are still accepted and kept open, but every byte, both ways, on new and
     * existing connections, is silently discarded. The ends see silence and time out; nothing is
     * reset. A connection that lost bytes has a hole in its stream and cannot carry it again, so
     * when the link heals, those connections are closed and the ends reconnect (a real network
     * would retransmit instead; the harness cannot).
     */
    BLACKHOLE,
    /**
     * A refusing peer: existing connections are reset (RST) and the listening port is closed, so new
     * connections are refused, which is what a crashed process or an iptables REJECT looks like.
     */
    RESET,
    /**
     * A one-way cut: bytes from the member that opened the connection to the target are silently
     * discarded, bytes back from the target still arrive. For the link {@code from -> to} this drops
     * {@code from}'s requests; together with {@link #DROP_BACKWARD} on {@code to -> from} it drops
     * everything {@code from} sends to {@code to}. Connections that lost bytes are closed on healing,
     * as in {@link #BLACKHOLE}.
     */
    DROP_FORWARD,
    /** The other one-way cut: bytes from the target back to the connecting member are discarded. */
    DROP_BACKWARD
}

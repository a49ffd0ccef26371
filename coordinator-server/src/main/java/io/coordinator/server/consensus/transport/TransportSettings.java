package io.coordinator.server.consensus.transport;

/**
 * Bounds of a {@link FrameTransport}.
 *
 * @param connectionsPerPeer   outbound TCP connections kept to each peer, one per lane (lanes beyond wrap around)
 * @param requestTimeoutMillis a request without an answer after this long fails with a TimeoutException
 * @param connectTimeoutMillis opening a connection fails after this long
 * @param frameBytesMax        largest frame accepted or sent; a larger one closes the connection
 * @param ioThreads            Netty event-loop threads (accepting, reading and writing)
 */
public record TransportSettings(int connectionsPerPeer, long requestTimeoutMillis, long connectTimeoutMillis,
                                int frameBytesMax, int ioThreads) {

    public TransportSettings {
        if (connectionsPerPeer < 1 || requestTimeoutMillis < 1 || connectTimeoutMillis < 1 || ioThreads < 1) {
            throw new IllegalArgumentException("transport settings must be positive: " + this);
        }
        if (frameBytesMax < FrameTransport.HEADER_BYTES + 1) {
            throw new IllegalArgumentException("frameBytesMax too small: " + frameBytesMax);
        }
    }
}

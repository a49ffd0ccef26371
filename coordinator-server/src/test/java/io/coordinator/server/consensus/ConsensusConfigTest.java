package io.coordinator.server.consensus;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConsensusConfigTest {
    private static final Map<String, String> MEMBERS = Map.of("m1", "10.0.0.1:7000", "m2", "10.0.0.2:7000");

    @Test
    void defaultsAreTheDocumentedOnes() {
        ConsensusConfig config = ConsensusConfig.builder("m1", "10.0.0.1", 7000, MEMBERS, Path.of("data")).build();
        assertEquals(1000, config.electionTimeoutMillis());
        assertEquals(150, config.heartbeatIntervalMillis());
        assertEquals(3000, config.proposalTimeoutMillis());
        assertEquals(3000, config.readTimeoutMillis());
        assertEquals(30_000, config.sessionTimeoutMillis());
        assertEquals(2000, config.requestTimeoutMillis());
        assertEquals(4, config.sessionsPerMember());
        assertEquals(8 * 1024 * 1024, config.segmentBytesMax());
        assertEquals(2 * 1024 * 1024, config.entryBytesMax());
        assertEquals(config.entryBytesMax() - ConsensusConfig.ENTRY_OVERHEAD_BYTES, config.commandBytesMax());
    }

    @Test
    void aSmallSegmentLowersTheDefaultEntryLimitToHalfASegment() {
        ConsensusConfig config = ConsensusConfig.builder("m1", "10.0.0.1", 7000, MEMBERS, Path.of("data"))
                .segmentBytesMax(1024 * 1024).build();
        assertEquals(512 * 1024, config.entryBytesMax());
    }

    @Test
    void inconsistentSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ConsensusConfig.builder("m3", "10.0.0.3", 7000, MEMBERS,
                Path.of("data")).build(), "this member must be one of the members");
        assertThrows(IllegalArgumentException.class, () -> ConsensusConfig.builder("m1", "10.0.0.1", 7001, MEMBERS,
                Path.of("data")).build(), "its address must be host:raftPort");
        assertThrows(IllegalArgumentException.class, () -> ConsensusConfig.builder("m1", "10.0.0.1", 7000, MEMBERS,
                Path.of("data")).electionTimeoutMillis(100).heartbeatIntervalMillis(100).build());
        assertThrows(IllegalArgumentException.class, () -> ConsensusConfig.builder("m1", "10.0.0.1", 7000, MEMBERS,
                Path.of("data")).sessionTimeoutMillis(1000).build(), "sessions must outlive an election");
        assertThrows(IllegalArgumentException.class, () -> ConsensusConfig.builder("m1", "10.0.0.1", 7000, MEMBERS,
                Path.of("data")).entryBytesMax(8 * 1024 * 1024).build(), "an entry must fit a segment");
        assertThrows(IllegalArgumentException.class, () -> ConsensusConfig.builder("m1", "10.0.0.1", 7000,
                Map.of("m1", "10.0.0.1"), Path.of("data")).build(), "addresses are host:port");
    }
}

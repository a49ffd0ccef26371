package io.coordinator.server.consensus.atomix;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.coordinator.server.consensus.atomix.TestCluster.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "A write is acknowledged only after a majority has it in its log, fsynced", for every cluster
 * size, counted rather than assumed: at the moment each acknowledgement arrives, a majority of
 * members must have forced their log past the entry's index.
 */
class LogDurabilityTest {
    private static final int WRITES = 20;
    private static final long ANSWER_WAIT_SECONDS = 10;

    @TempDir
    Path dataDir;
    private TestCluster cluster;

    @AfterEach
    void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest(name = "{0} member(s)")
    @ValueSource(ints = {1, 3, 5})
    void everyAcknowledgedWriteIsOnAMajorityOfDisksWhenItsAcknowledgementArrives(int members) throws Exception {
        cluster = new TestCluster(dataDir, members, builder -> builder.segmentBytesMax(1024 * 1024)).startAll();
        String leader = cluster.awaitLeader();
        long forcesBefore = member(leader).logForces();
        int majority = members / 2 + 1;

        for (int i = 0; i < WRITES; i++) {
            String write = "write-" + i;
            // Read the members' durable indexes in the completion itself, before anything else can force.
            List<Long> durableAtAck = cluster.log(leader).propose(bytes(write))
                    .thenApply(reply -> {
                        long index = RecordingStateMachine.decode(reply);
                        return java.util.stream.Stream.concat(java.util.stream.Stream.of(index),
                                cluster.ids().stream().map(id -> member(id).durableIndex())).toList();
                    })
                    .get(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS);
            long index = durableAtAck.get(0);
            long onDisk = durableAtAck.stream().skip(1).filter(durable -> durable >= index).count();
            assertTrue(onDisk >= majority, write + " at index " + index + " was acknowledged while only " + onDisk
                    + " of " + members + " members had forced it (durable indexes " + durableAtAck.subList(1,
                    durableAtAck.size()) + ")");
        }

        long forces = member(leader).logForces() - forcesBefore;
        System.out.printf("log durability: %d member(s), %d acknowledged writes, %d leader forces (%.2f per write)%n",
                members, WRITES, forces, (double) forces / WRITES);
        assertTrue(forces >= WRITES, "the leader forced its log " + forces + " times for " + WRITES
                + " writes proposed one after another");
        assertEquals(List.of(), cluster.machine(leader).violations());
    }

    private AtomixReplicatedLog member(String id) {
        return (AtomixReplicatedLog) cluster.log(id);
    }
}

package io.coordinator.jepsen;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.CreateMode;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Bug P2's reproduction on real processes: one client, one endpoint (a member then cut off from the
 * other two), no session, one attempt per call. A read and a write go out together after the cut;
 * the read's UNAVAILABLE must not turn the write, still in flight on the same connection, into
 * "connection ... lost": each call ends with the member's own answer.
 */
class PinnedClientCutTest {
    private static final long ATTEMPT_MILLIS = 11_000;

    private Path dataDir;
    private ProcessCluster cluster;
    private ClusterView view;

    @BeforeEach
    void startCluster() throws Exception {
        dataDir = Files.createTempDirectory("pinned-client-cut-test");
        cluster = ProcessCluster.startWithProxies(dataDir, 3, ProcessCluster.freeBasePort(3));
        view = new ClusterView(cluster);
        view.awaitLeader(Duration.ofSeconds(60));
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        ProcessCluster.deleteRecursively(dataDir);
    }

    @Test
    void aReadsUnavailableDoesNotCostTheWriteBesideItItsOwnAnswer() throws Exception {
        try (Coordinator setup = Coordinator.connect(ClientConfig.builder().endpoints(cluster.endpoints())
                .requestTimeoutMillis(30_000).build())) {
            setup.create("/x", bytes("1"), CreateMode.PERSISTENT);
            setup.create("/y", bytes("1"), CreateMode.PERSISTENT);
        }
        String leaderId = view.awaitLeader(Duration.ofSeconds(10)).self().memberId();
        String victim = cluster.memberIds().stream().filter(id -> !id.equals(leaderId)).findFirst().orElseThrow();
        try (Coordinator pinned = Coordinator.connect(ClientConfig.builder().endpoints(cluster.endpoint(victim))
                .openSession(false).retryAttemptsMax(1).connectTimeoutMillis(1_000)
                .attemptTimeoutMillis(ATTEMPT_MILLIS).requestTimeoutMillis(ATTEMPT_MILLIS + 1_000).build())) {
            pinned.get("/x");
            cluster.partitions().isolate(victim);
            long cutAt = System.nanoTime();
            CompletableFuture<String> read = timed(cutAt, pinned.async().get("/x").thenApply(r -> "ok " + r.dataUtf8()));
            CompletableFuture<String> write = timed(cutAt, pinned.async().set("/y", bytes("2"), -1)
                    .thenApply(s -> "ok revision " + s.modRevision()));
            String readOutcome = read.get(ATTEMPT_MILLIS + 5_000, TimeUnit.MILLISECONDS);
            String writeOutcome = write.get(ATTEMPT_MILLIS + 5_000, TimeUnit.MILLISECONDS);
            System.out.println("[pinned client cut] read: " + readOutcome);
            System.out.println("[pinned client cut] write: " + writeOutcome);
            assertFalse(writeOutcome.contains("lost"), "the write got the member's own answer: " + writeOutcome);
            assertFalse(readOutcome.contains("lost"), "the read got the member's own answer: " + readOutcome);
        }
    }

    private static CompletableFuture<String> timed(long cutAt, CompletableFuture<String> call) {
        return call.handle((value, error) -> {
            double seconds = (System.nanoTime() - cutAt) / 1e9;
            String outcome = error == null ? value : describe(error);
            return String.format("%s after %.2f s", outcome, seconds);
        });
    }

    private static String describe(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e instanceof CoordinatorException ce ? ce.code() + " (" + ce.getMessage() + ")" : e.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.coordinator.jepsen.recipes;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Three real member processes per test class, shared by its tests, and clients that are all closed
 * after each test, whatever happened. The recipes run in this JVM; the members do not, so a SIGKILL
 * is a real crash and a restart a real recovery from disk.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProcessRecipeTestBase {
    static final Duration WAIT = Duration.ofSeconds(60);

    Path dataDir;
    ProcessCluster cluster;
    ClusterView view;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    void startCluster() throws Exception {
        dataDir = Files.createTempDirectory(getClass().getSimpleName());
        cluster = ProcessCluster.start(dataDir, 3, ProcessCluster.freeBasePort(3));
        view = new ClusterView(cluster);
        view.awaitLeader(WAIT);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        ProcessCluster.deleteRecursively(dataDir);
    }

    @AfterEach
    void closeResources() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        resources.clear();
    }

    /** A client on every member, with a session of {@code ttlMillis}, closed after the test. */
    Coordinator client(long ttlMillis) {
        Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(cluster.endpoints())
                .sessionTtlMillis(ttlMillis).requestTimeoutMillis(30_000).build());
        return closedAfterTest(client);
    }

    <T extends AutoCloseable> T closedAfterTest(T resource) {
        resources.add(resource);
        return resource;
    }
}

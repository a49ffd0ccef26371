package io.coordinator.client.recipes;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.support.IsolatedCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Real members in this JVM for the recipe tests (skipped without the server's jar, see
 * {@link IsolatedCluster}), and clients on them that are all closed with it.
 */
final class RecipeCluster implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    final IsolatedCluster cluster;
    private final List<AutoCloseable> resources = new ArrayList<>();

    private RecipeCluster(IsolatedCluster cluster) {
        this.cluster = cluster;
    }

    static RecipeCluster start(int members) throws Exception {
        RecipeCluster started = new RecipeCluster(IsolatedCluster.start(members, Map.of()));
        // The first session needs a leader; under load the election can outlast one connect's
        // request timeout, so the connect is retried within the same bound as the read.
        await().atMost(WAIT).ignoreExceptions().until(() -> started.client().exists("/").isPresent());
        return started;
    }

    /** A client with a session (TTL 10 s) over every member. */
    Coordinator client() {
        return client(cluster.endpoints(), 10_000);
    }

    Coordinator client(String endpoints, long sessionTtlMillis) {
        return client(endpoints, sessionTtlMillis, 15_000);
    }

    Coordinator client(String endpoints, long sessionTtlMillis, long requestTimeoutMillis) {
        Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(endpoints).shuffleEndpoints(false)
                .sessionTtlMillis(sessionTtlMillis).requestTimeoutMillis(requestTimeoutMillis)
                .attemptTimeoutMillis(Math.min(5_000, requestTimeoutMillis)).build());
        return keep(client);
    }

    synchronized <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> all;
        synchronized (this) {
            all = List.copyOf(resources);
        }
        for (AutoCloseable r : all) {
            try {
                r.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        cluster.close();
    }
}

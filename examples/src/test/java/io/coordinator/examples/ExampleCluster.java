package io.coordinator.examples;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.support.IsolatedCluster;

import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Three real members in the test JVM (the client tests' {@link IsolatedCluster}; skipped without the
 * server's jar) and an admin client on them, for running the examples against.
 */
final class ExampleCluster {
    static final Duration WAIT = Duration.ofSeconds(30);

    final IsolatedCluster members;
    final Coordinator admin;

    private ExampleCluster(IsolatedCluster members, Coordinator admin) {
        this.members = members;
        this.admin = admin;
    }

    static ExampleCluster start(Map<String, String> overrides) throws Exception {
        IsolatedCluster members = IsolatedCluster.start(3, overrides);
        try {
            // The first session needs a leader; under load the election can outlast one connect.
            Coordinator admin = await().atMost(WAIT).ignoreExceptions().until(() -> Coordinator.connect(ClientConfig.builder()
                    .endpoints(members.endpoints()).requestTimeoutMillis(15_000).build()), c -> c != null);
            return new ExampleCluster(members, admin);
        } catch (Exception | Error e) {
            members.close();
            throw e;
        }
    }

    String endpoints() {
        return members.endpoints();
    }

    void close() throws Exception {
        try {
            admin.close();
        } finally {
            members.close();
        }
    }
}

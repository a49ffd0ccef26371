package io.coordinator.client;

import io.coordinator.client.fake.FakeMember;

import java.util.Arrays;

final class ClientTestSupport {
    private ClientTestSupport() {
    }

    /** Fast, deterministic settings: endpoints in the given order, no session, short back-off. */
    static ClientConfig.Builder config(FakeMember... members) {
        return ClientConfig.builder()
                .endpoints(Arrays.stream(members).map(FakeMember::endpoint).toList())
                .shuffleEndpoints(false)
                .openSession(false)
                .requestTimeoutMillis(5_000)
                .attemptTimeoutMillis(4_000)
                .connectTimeoutMillis(1_000)
                .retryBackoffMillis(5)
                .retryBackoffMillisMax(50);
    }

    static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception e) {
                    // cleanup of a test: keep closing the rest
                }
            }
        }
    }
}

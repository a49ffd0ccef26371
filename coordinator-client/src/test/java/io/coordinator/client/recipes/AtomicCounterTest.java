package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link AtomicCounter} on three real members in this JVM. */
class AtomicCounterTest extends RecipeTestBase {

    @Test
    void concurrentIncrementsFromSeveralClientsLoseNothingAndNeverRepeatAValue() throws Exception {
        String path = "/counters/contended";
        int clients = 3;
        int threadsPerClient = 2;
        int incrementsPerThread = 15;
        ExecutorService pool = Executors.newFixedThreadPool(clients * threadsPerClient);
        try {
            List<Future<List<Long>>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                AtomicCounter counter = new AtomicCounter(cluster.client(), path);
                for (int t = 0; t < threadsPerClient; t++) {
                    workers.add(pool.submit(() -> {
                        List<Long> got = new ArrayList<>();
                        for (int i = 0; i < incrementsPerThread; i++) {
                            got.add(counter.increment());
                        }
                        return got;
                    }));
                }
            }
            Set<Long> values = new HashSet<>();
            for (Future<List<Long>> worker : workers) {
                values.addAll(worker.get(120, TimeUnit.SECONDS));
            }
            int total = clients * threadsPerClient * incrementsPerThread;
            assertEquals(total, values.size(), "each increment returned a value of its own");
            assertEquals(total, new AtomicCounter(cluster.client(), path).get());
            assertTrue(values.stream().allMatch(v -> v >= 1 && v <= total));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCounterStartsAtZeroTakesNegativeDeltasAndRefusesANodeThatHoldsNoNumber() {
        Coordinator client = cluster.client();
        AtomicCounter counter = new AtomicCounter(client, "/counters/fresh/deep");
        assertEquals(0, counter.get());
        assertEquals(5, counter.add(5));
        assertEquals(2, counter.add(-3));
        assertEquals("2", client.get("/counters/fresh/deep").dataUtf8());

        client.create("/counters/text", "hello".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT);
        long before = client.get("/").revision();
        assertEquals(ErrorCode.MALFORMED, assertThrows(CoordinatorException.class,
                () -> new AtomicCounter(client, "/counters/text").increment()).code());
        assertEquals(before, client.get("/").revision());
    }
}

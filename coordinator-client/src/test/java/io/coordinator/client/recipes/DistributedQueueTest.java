package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.coordinator.client.recipes.RecipeCluster.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DistributedQueue} on three real members in this JVM; each test has a queue of its own. */
class DistributedQueueTest extends RecipeTestBase {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void itemsComeOutInTheOrderTheyWereOfferedWhateverTheClient() throws Exception {
        String path = "/queues/order";
        List<DistributedQueue> queues = List.of(new DistributedQueue(cluster.client(), path),
                new DistributedQueue(cluster.client(), path), new DistributedQueue(cluster.client(), path));
        for (int i = 0; i < 9; i++) {
            queues.get(i % 3).offer(bytes("item-" + i));
        }
        assertEquals(9, queues.get(0).size());
        for (int i = 0; i < 9; i++) {
            assertEquals("item-" + i, string(queues.get((i + 1) % 3).poll().orElseThrow()));
        }
        assertTrue(queues.get(0).poll().isEmpty());
        assertEquals(0, queues.get(0).size());
    }

    @Test
    void everyItemIsTakenByExactlyOneConsumerAndEachProducersOrderIsKept() throws Exception {
        String path = "/queues/many";
        int producers = 3;
        int itemsPerProducer = 30;
        int total = producers * itemsPerProducer;
        List<Coordinator> clients = List.of(cluster.client(), cluster.client(), cluster.client());
        AtomicInteger taken = new AtomicInteger();
        long deadline = System.nanoTime() + WAIT.toNanos() * 4;

        List<Future<List<String>>> consumers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            DistributedQueue queue = new DistributedQueue(clients.get(c), path);
            consumers.add(threads.submit(() -> {
                List<String> mine = new ArrayList<>();
                // Bounded both ways: stops once everything is taken, or at the deadline.
                for (int round = 0; round < total * 4 && taken.get() < total && System.nanoTime() < deadline; round++) {
                    queue.poll(Duration.ofMillis(500)).ifPresent(item -> {
                        mine.add(string(item));
                        taken.incrementAndGet();
                    });
                }
                return mine;
            }));
        }
        List<Future<?>> producing = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            DistributedQueue queue = new DistributedQueue(clients.get(p), path);
            int producer = p;
            producing.add(threads.submit(() -> {
                for (int k = 0; k < itemsPerProducer; k++) {
                    queue.offer(bytes(producer + ":" + k));
                }
                return null;
            }));
        }
        for (Future<?> f : producing) {
            f.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
        }
        Map<String, Integer> seen = new HashMap<>();
        List<Integer> perConsumer = new ArrayList<>();
        for (Future<List<String>> f : consumers) {
            List<String> mine = f.get(WAIT.toMillis() * 5, TimeUnit.MILLISECONDS);
            perConsumer.add(mine.size());
            Map<Integer, Integer> lastByProducer = new TreeMap<>();
            for (String item : mine) {
                seen.merge(item, 1, Integer::sum);
                int producer = Integer.parseInt(item.substring(0, item.indexOf(':')));
                int k = Integer.parseInt(item.substring(item.indexOf(':') + 1));
                Integer last = lastByProducer.put(producer, k);
                assertTrue(last == null || last < k, "a consumer got " + item + " after " + producer + ":" + last);
            }
        }
        for (int p = 0; p < producers; p++) {
            for (int k = 0; k < itemsPerProducer; k++) {
                assertEquals(1, seen.getOrDefault(p + ":" + k, 0), "times " + p + ":" + k + " was taken");
            }
        }
        assertEquals(total, seen.size());
        System.out.println("queue: " + total + " items, taken per consumer " + perConsumer);
    }

    @Test
    void aTakeWaitsForAnOfferAndAPollGivesUpInTime() throws Exception {
        String path = "/queues/wait";
        DistributedQueue consumer = new DistributedQueue(cluster.client(), path);
        assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "nothing offered: times out");
        Future<byte[]> taking = threads.submit(consumer::take);
        assertFalse(taking.isDone());
        byte[] payload = {0, 1, 2, (byte) 0xff};
        new DistributedQueue(cluster.client(), path).offer(payload);
        assertArrayEquals(payload, taking.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(consumer.poll().isEmpty());
    }

    @Test
    void theQueueDirectoryComesWithTheFirstOfferAndGoesWithTheLastTake() throws Exception {
        Coordinator client = cluster.client();
        DistributedQueue queue = new DistributedQueue(client, "/queues-fresh/deep/q");
        assertTrue(queue.poll().isEmpty());
        queue.offer(bytes("x"));
        assertTrue(client.exists("/queues-fresh/deep/q").isPresent());
        assertEquals("x", string(queue.take()));
        assertTrue(client.exists("/queues-fresh/deep/q").isEmpty(), "a container goes with its last child");
    }
}

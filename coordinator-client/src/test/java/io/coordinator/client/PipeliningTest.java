package io.coordinator.client;

import io.coordinator.client.fake.FakeMember;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.ClientTestSupport.config;
import static io.coordinator.client.fake.Scripts.STAT;
import static io.coordinator.client.fake.Scripts.bytes;
import static io.coordinator.client.fake.Scripts.withSessions;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many requests on one connection, answered in any order; and the bound on requests in flight. */
class PipeliningTest {

    private static void answerWithItsPath(FakeMember.Received r) {
        r.reply(5, new Response.Data(bytes(r.op().path()), STAT));
    }

    @Test
    void pipelinedRequestsCompleteOutOfOrderByRequestId() throws Exception {
        List<FakeMember.Received> held = new CopyOnWriteArrayList<>();
        FakeMember m = FakeMember.start(held::add);
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m).build());
            CompletableFuture<GetResult> a = client.async().get("/a");
            CompletableFuture<GetResult> b = client.async().get("/b");
            CompletableFuture<GetResult> c = client.async().get("/c");
            await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 3);
            assertEquals(1, m.connectionsAccepted(), "all three went out on one connection before any answer");
            assertEquals(List.of("/a", "/b", "/c"), held.stream().map(r -> r.op().path()).toList(),
                    "requests leave in the order they were made");

            answerWithItsPath(held.get(2));
            assertEquals("/c", c.get(5, TimeUnit.SECONDS).dataUtf8());
            assertFalse(a.isDone() || b.isDone());

            answerWithItsPath(held.get(0));
            assertEquals("/a", a.get(5, TimeUnit.SECONDS).dataUtf8());
            assertFalse(b.isDone());

            answerWithItsPath(held.get(1));
            assertEquals("/b", b.get(5, TimeUnit.SECONDS).dataUtf8());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void callsBeyondThePendingLimitWaitForAFreeSlot() throws Exception {
        List<FakeMember.Received> held = new CopyOnWriteArrayList<>();
        FakeMember m = FakeMember.start(held::add);
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m).pendingRequestsMax(2).build());
            CompletableFuture<GetResult> a = client.async().get("/a");
            CompletableFuture<GetResult> b = client.async().get("/b");
            CompletableFuture<GetResult> c = client.async().get("/c");
            await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 2);
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> held.size() == 2);

            answerWithItsPath(held.get(0));
            await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 3);
            assertEquals("/c", held.get(2).op().path(), "waiting calls start in submission order");
            answerWithItsPath(held.get(1));
            answerWithItsPath(held.get(2));
            assertEquals("/a", a.get(5, TimeUnit.SECONDS).dataUtf8());
            assertEquals("/b", b.get(5, TimeUnit.SECONDS).dataUtf8());
            assertEquals("/c", c.get(5, TimeUnit.SECONDS).dataUtf8());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void aSessionWriteWaitsWhileItsSequenceWouldLeaveTheDedupWindow() throws Exception {
        List<FakeMember.Received> held = new CopyOnWriteArrayList<>();
        FakeMember m = FakeMember.start(withSessions(held::add));
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m).openSession(true).pendingRequestsMax(2).build());
            CompletableFuture<?> first = client.async().set("/a", bytes("1"), -1);
            CompletableFuture<?> second = client.async().set("/b", bytes("2"), -1);
            await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 2);
            held.get(1).reply(7, new Response.Updated(STAT));
            second.get(5, TimeUnit.SECONDS);

            // One slot is free, but sequence 3 would be two ahead of sequence 1, still unanswered.
            CompletableFuture<?> third = client.async().set("/c", bytes("3"), -1);
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> held.size() == 2);

            held.get(0).reply(8, new Response.Updated(STAT));
            await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 3);
            assertEquals(3, held.get(2).request().sequence());
            held.get(2).reply(9, new Response.Updated(STAT));
            first.get(5, TimeUnit.SECONDS);
            third.get(5, TimeUnit.SECONDS);
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void asyncResultsAreDeliveredOffTheIoThread() throws Exception {
        FakeMember m = FakeMember.start(PipeliningTest::answerWithItsPath);
        Coordinator client = null;
        try {
            client = Coordinator.connect(config(m).build());
            String thread = client.async().get("/a").thenApply(r -> Thread.currentThread().getName())
                    .get(5, TimeUnit.SECONDS);
            assertTrue(thread.startsWith("coordinator-client-callback"), thread);
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void aBlockingCallInsideACallbackDoesNotDeadlock() throws Exception {
        FakeMember m = FakeMember.start(PipeliningTest::answerWithItsPath);
        Coordinator client = null;
        try {
            Coordinator cl = client = Coordinator.connect(config(m).build());
            String nested = cl.async().get("/a").thenApply(r -> cl.get("/b").dataUtf8()).get(5, TimeUnit.SECONDS);
            assertEquals("/b", nested);
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }

    @Test
    void manyConcurrentCallersEachGetTheirOwnAnswer() throws Exception {
        FakeMember m = FakeMember.start(PipeliningTest::answerWithItsPath);
        Coordinator client = null;
        try {
            Coordinator c = client = Coordinator.connect(config(m).pendingRequestsMax(8).build());
            List<CompletableFuture<Boolean>> results = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 200; i++) {
                String path = "/n" + i;
                results.add(CompletableFuture.supplyAsync(() -> c.get(path).dataUtf8().equals(path)));
            }
            for (CompletableFuture<Boolean> r : results) {
                assertTrue(r.get(10, TimeUnit.SECONDS));
            }
            assertEquals(200, m.receivedOps().size());
        } finally {
            ClientTestSupport.closeAll(client, m);
        }
    }
}

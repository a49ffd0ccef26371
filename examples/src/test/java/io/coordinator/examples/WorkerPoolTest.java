package io.coordinator.examples;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.coordinator.examples.ExampleCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerPoolTest {
    private static final Pattern LEADS = Pattern.compile("(\\S+) leads \\(token (\\d+)\\)");
    private static final Pattern DID = Pattern.compile("(\\S+) did item (\\d+) from token (\\d+)");

    private static ExampleCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ExampleCluster.start(Map.of());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Did(String worker, long item, long token) {
    }

    @Test
    void oneWorkerLeadsTheOthersWorkAndWhenTheLeaderGoesTheNextGoesOnWhereItStopped() {
        Output out = new Output();
        AtomicInteger mostLeadersAtOnce = new AtomicInteger();
        WorkerPool pool = WorkerPool.start(new String[]{"--endpoints", cluster.endpoints(), "--workers", "3",
                "--path", "/pool", "--interval-ms", "50"}, out.stream());
        try {
            WorkerPool.Worker first = await().atMost(WAIT).until(() -> leader(pool, mostLeadersAtOnce), Optional::isPresent).get();
            long firstToken = token(out, first.name());
            await().atMost(WAIT).until(() -> done(out, firstToken).size() >= 5);
            assertTrue(done(out, firstToken).stream().noneMatch(d -> d.worker().equals(first.name())),
                    "the leader hands out, the others work: " + out.lines());

            first.close();  // its client closes: the session, and with it the term, ends
            WorkerPool.Worker second = await().atMost(WAIT).until(() -> leader(pool, mostLeadersAtOnce), Optional::isPresent).get();
            assertNotEquals(first.name(), second.name());
            long secondToken = token(out, second.name());
            assertTrue(secondToken > firstToken, secondToken + " after " + firstToken);
            await().atMost(WAIT).until(() -> done(out, secondToken).size() >= 5);
            assertTrue(done(out, secondToken).stream().noneMatch(d -> d.worker().equals(second.name())), out.lines().toString());

            List<Did> all = done(out, -1);
            assertEquals(all.size(), all.stream().mapToLong(Did::item).distinct().count(), "each item done once: " + all);
            long lastOfFirst = done(out, firstToken).stream().mapToLong(Did::item).max().orElseThrow();
            long firstOfSecond = done(out, secondToken).stream().mapToLong(Did::item).min().orElseThrow();
            assertTrue(firstOfSecond > lastOfFirst, "the numbering goes on: " + all);
            assertEquals(1, mostLeadersAtOnce.get(), "never two leaders at once");
        } finally {
            pool.close();
        }
    }

    /** The one worker that leads, if exactly one does; notes how many did. */
    private static Optional<WorkerPool.Worker> leader(WorkerPool pool, AtomicInteger mostAtOnce) {
        List<WorkerPool.Worker> leaders = pool.workers().stream().filter(WorkerPool.Worker::isLeader).toList();
        mostAtOnce.accumulateAndGet(leaders.size(), Math::max);
        return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    private static long token(Output out, String worker) {
        return out.lines().stream().map(LEADS::matcher).filter(m -> m.matches() && m.group(1).equals(worker))
                .mapToLong(m -> Long.parseLong(m.group(2))).max().orElseThrow();
    }

    /** The items done, of every leader's ({@code token} -1) or of one leader's. */
    private static List<Did> done(Output out, long token) {
        return out.lines().stream().map(DID::matcher).filter(Matcher::matches)
                .map(m -> new Did(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))))
                .filter(d -> token == -1 || d.token() == token).toList();
    }
}

package io.coordinator.examples;

import io.coordinator.client.Coordinator;
import io.coordinator.client.recipes.DistributedMutex;
import io.coordinator.client.recipes.Fence;
import io.coordinator.client.recipes.FencingException;
import io.coordinator.client.recipes.Lease;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.coordinator.examples.ExampleCluster.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockedJobTest {
    private static ExampleCluster cluster;

    @TempDir
    Path dir;

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

    private String[] args(String lock, Path file, String job, int records) {
        return new String[]{"--endpoints", cluster.endpoints(), "--lock", lock, "--file", file.toString(),
                "--job", job, "--records", Integer.toString(records)};
    }

    @Test
    void threeJobsStartedAtOnceWriteInTurnsEachWithItsOwnLargerToken() throws Exception {
        Path file = dir.resolve("ledger.txt");
        int records = 20;
        Output out = new Output();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        List<LockedJob.Result> results = new ArrayList<>();
        try {
            List<Future<LockedJob.Result>> runs = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                String[] argv = args("ledger", file, "job-" + i, records);
                runs.add(threads.submit(() -> LockedJob.run(argv, out.stream())));
            }
            for (Future<LockedJob.Result> run : runs) {
                results.add(run.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }
        } finally {
            threads.shutdownNow();
        }

        // The file holds each holder's records as one block, in the order of the grants, each line
        // with the token of the grant its writer held: never a lower token after a higher one.
        results.sort(Comparator.comparingLong(LockedJob.Result::token));
        assertEquals(3, results.stream().mapToLong(LockedJob.Result::token).distinct().count(), results.toString());
        List<FencedFile.Line> expected = new ArrayList<>();
        for (LockedJob.Result r : results) {
            for (int i = 1; i <= records; i++) {
                expected.add(new FencedFile.Line(r.token(), r.job() + " record " + i + " of " + records));
            }
        }
        assertEquals(expected, new FencedFile(file).lines());

        // Each fenced write to Coordinator went through while its grant held, in grant order; the last is kept.
        for (int i = 1; i < results.size(); i++) {
            assertTrue(results.get(i).recordRevision() > results.get(i - 1).recordRevision(), results.toString());
        }
        LockedJob.Result last = results.get(2);
        assertEquals(last.job() + " wrote " + records + " records with token " + last.token(),
                cluster.admin.get("/jobs/ledger").dataUtf8());
        for (LockedJob.Result r : results) {
            assertTrue(out.lines().contains(r.job() + " holds /locks/ledger with fencing token " + r.token()), out.lines().toString());
        }
    }

    @Test
    void aHolderWhoseGrantEndedIsRefusedByTheFileAndByCoordinatorAfterTheNextRun() throws Exception {
        Path file = dir.resolve("stale.txt");
        Lease stale;
        try (Coordinator paused = Coordinator.connect(cluster.endpoints())) {
            stale = new DistributedMutex(paused, "/locks/stale").lock();
            new FencedFile(file).append(stale.token(), "before the pause");
        } // its session ends here, and with it the grant: as if it had paused past its TTL

        LockedJob.Result next = LockedJob.run(args("stale", file, "next", 2), new Output().stream());
        assertTrue(next.token() > stale.token());

        FencedFile resource = new FencedFile(file);
        FencingException refused = assertThrows(FencingException.class, () -> resource.append(stale.token(), "after the pause"));
        assertEquals(next.token(), refused.currentToken());
        // Its write reaching Coordinator late (sent here through another client, its own being closed).
        Fence late = new Fence(cluster.admin, stale.nodePath(), stale.token());
        assertThrows(FencingException.class, () -> late.set("/jobs/stale", "after the pause".getBytes(StandardCharsets.UTF_8), -1));
        assertEquals(List.of(new FencedFile.Line(stale.token(), "before the pause"),
                new FencedFile.Line(next.token(), "next record 1 of 2"),
                new FencedFile.Line(next.token(), "next record 2 of 2")), resource.lines());
        assertEquals("next wrote 2 records with token " + next.token(), cluster.admin.get("/jobs/stale").dataUtf8());
    }

    @Test
    void theFileAcceptsEqualAndHigherTokensAndRefusesALowerOneEvenAfterReopening() throws Exception {
        FencedFile file = new FencedFile(dir.resolve("tokens.txt"));
        file.append(5, "a");
        file.append(5, "b");
        file.append(7, "c");
        assertThrows(FencingException.class, () -> file.append(6, "d"));
        assertThrows(FencingException.class, () -> new FencedFile(file.path()).append(6, "d"));
        assertEquals(List.of(new FencedFile.Line(5, "a"), new FencedFile.Line(5, "b"), new FencedFile.Line(7, "c")),
                new FencedFile(file.path()).lines());
    }
}

package io.coordinator.client.cli;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.support.CuttableProxy;
import io.coordinator.client.support.IsolatedCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ctl lock}, {@code ctl elect} and {@code ctl counter} on three real members in this JVM, with
 * real commands run by {@code sh}. Each ctl runs on a thread of its own; interrupting it stands for Ctrl-C.
 */
class RecipeCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A command that waits (at most 60 s) until the file named by its first argument exists. */
    private static final String WAIT_FOR_FILE = "i=0; while [ ! -f \"$1\" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done";

    private static IsolatedCluster cluster;
    private static Coordinator admin;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = IsolatedCluster.start(3, Map.of());
        admin = Coordinator.connect(ClientConfig.builder().endpoints(cluster.endpoints()).requestTimeoutMillis(15_000).build());
        await().atMost(WAIT).ignoreExceptions().until(() -> admin.exists("/").isPresent());
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One ctl run on its own thread; its output can be read while it runs. */
    static final class Running {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread thread;

        String out() {
            return out.toString();
        }

        int exit() throws Exception {
            return exit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public String toString() {
            return "out:\n" + out + "err:\n" + err;
        }
    }

    private static Running startOn(String endpoints, String... args) {
        Running run = new Running();
        List<String> all = new ArrayList<>(List.of("--endpoints", endpoints));
        if (!List.of(args).contains("--timeout-ms")) {
            all.addAll(List.of("--timeout-ms", "15000"));
        }
        all.addAll(List.of(args));
        Ctl ctl = new Ctl();
        ctl.pipeChildOutput = true;
        CommandLine cl = new CommandLine(ctl);
        cl.setOut(new PrintWriter(run.out, true));
        cl.setErr(new PrintWriter(run.err, true));
        run.thread = new Thread(() -> {
            try {
                run.exit.complete(cl.execute(all.toArray(String[]::new)));
            } catch (Throwable t) {
                run.exit.completeExceptionally(t);
            }
        }, "ctl-" + args[0]);
        run.thread.setDaemon(true);
        run.thread.start();
        return run;
    }

    private static Running start(String... args) {
        return startOn(cluster.endpoints(), args);
    }

    private static Running ctl(String... args) throws Exception {
        Running run = start(args);
        run.exit();
        return run;
    }

    private static long token(String text) {
        Matcher m = Pattern.compile("token[= ](\\d+)").matcher(text);
        assertTrue(m.find(), "no token in: " + text);
        return Long.parseLong(m.group(1));
    }

    private static int queued(String path) {
        try {
            return admin.children(path).names().size();
        } catch (CoordinatorException.NoNodeException e) {
            return 0;
        }
    }

    @Test
    void lockRunsTheCommandWithTheFencingTokenAndExitsWithItsCode() throws Exception {
        Running first = ctl("lock", "run", "--", "sh", "-c", "echo token=$COORDINATOR_LOCK_TOKEN node=$COORDINATOR_LOCK_NODE");
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.out().contains("node=/locks/run/lock-"), first.toString());
        long firstToken = token(first.out());

        Running failing = ctl("lock", "run", "--", "sh", "-c", "echo token=$COORDINATOR_LOCK_TOKEN; exit 3");
        assertEquals(3, failing.exit(), failing.toString());
        assertTrue(token(failing.out()) > firstToken, "each grant's token is larger than the last");
        assertEquals(0, queued("/locks/run"), "released when the command ended");

        Running missing = ctl("lock", "run", "--", "/nonexistent/command");
        assertEquals(Ctl.EXIT_NOT_STARTED, missing.exit(), missing.toString());
        assertEquals(Ctl.EXIT_USAGE, ctl("lock", "run").exit(), "no command");
        assertEquals(0, queued("/locks/run"));
    }

    @Test
    void aSecondLockWaitsForTheFirstOrGivesUpAfterWaitMs(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path release = dir.resolve("release");
        Running holder = start("lock", "queue", "--", "sh", "-c",
                "echo token=$COORDINATOR_LOCK_TOKEN; " + WAIT_FOR_FILE, "sh", release.toString());
        await().atMost(WAIT).until(() -> holder.out().contains("token="));

        Running impatient = ctl("lock", "queue", "--wait-ms", "300", "--", "sh", "-c", "echo ran");
        assertEquals(Ctl.EXIT_UNAVAILABLE, impatient.exit(), impatient.toString());
        assertFalse(impatient.out().contains("ran"), "the command never ran without the lock");

        Running next = start("lock", "queue", "--", "sh", "-c", "echo token=$COORDINATOR_LOCK_TOKEN");
        await().atMost(WAIT).until(() -> queued("/locks/queue") == 2);
        assertFalse(next.exit.isDone(), "waits while the first holds");
        Files.writeString(release, "go");
        assertEquals(0, holder.exit(), holder.toString());
        assertEquals(0, next.exit(), next.toString());
        assertTrue(token(next.out()) > token(holder.out()));
        assertEquals(0, queued("/locks/queue"));
    }

    @Test
    void aLockLostWhileTheCommandRunsSendsItSigtermAndExitsNine() throws Exception {
        try (CuttableProxy proxy = new CuttableProxy(cluster.endpoint(0))) {
            Running holder = startOn(proxy.endpoint(), "--timeout-ms", "3000", "lock", "cut", "--ttl-ms", "2000", "--",
                    "sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo token=$COORDINATOR_LOCK_TOKEN; "
                            + "i=0; while [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; echo not stopped");
            await().atMost(WAIT).until(() -> holder.out().contains("token=") || holder.exit.isDone());
            assertFalse(holder.exit.isDone(), holder.toString());
            proxy.cut();
            assertEquals(Ctl.EXIT_LOST, holder.exit(), holder.toString());
            assertTrue(holder.out().contains("got TERM"), holder.toString());
            assertFalse(holder.out().contains("not stopped"), holder.toString());
            assertTrue(holder.err.toString().contains("LOCK_LOST"), holder.toString());
            // The cluster frees the lock when the session expires: the next holder runs.
            Running next = ctl("lock", "cut", "--", "sh", "-c", "echo token=$COORDINATOR_LOCK_TOKEN");
            assertEquals(0, next.exit(), next.toString());
            assertTrue(token(next.out()) > token(holder.out()));
        }
    }

    @Test
    void electPrintsWhenElectedHandsOverOnCtrlCAndObserversSeeEachLeader() throws Exception {
        Running observer = start("elect", "board", "--observe", "--count", "3");
        await().atMost(WAIT).until(() -> observer.out().contains("no leader"));

        Running alpha = start("elect", "board", "alpha");
        await().atMost(WAIT).until(() -> alpha.out().contains("elected /election/board token "));
        Running beta = start("elect", "board", "beta");
        await().atMost(WAIT).until(() -> queued("/election/board") == 2);
        assertFalse(beta.out().contains("elected"), beta.toString());

        alpha.thread.interrupt(); // Ctrl-C: resign
        assertEquals(0, alpha.exit(), alpha.toString());
        await().atMost(WAIT).until(() -> beta.out().contains("elected"));
        assertTrue(token(beta.out()) > token(alpha.out()));

        assertEquals(0, observer.exit(), observer.toString());
        List<String> lines = observer.out().lines().toList();
        assertEquals(3, lines.size(), observer.toString());
        assertEquals("no leader", lines.get(0));
        assertEquals("leader alpha token " + token(alpha.out()), lines.get(1));
        assertEquals("leader beta token " + token(beta.out()), lines.get(2));

        beta.thread.interrupt();
        assertEquals(0, beta.exit(), beta.toString());
        await().atMost(WAIT).until(() -> queued("/election/board") == 0);
        assertEquals(Ctl.EXIT_USAGE, ctl("elect", "board").exit(), "neither VALUE nor --observe");
    }

    @Test
    void aLeaderCutOffPrintsRevokedAndExitsNine() throws Exception {
        try (CuttableProxy proxy = new CuttableProxy(cluster.endpoint(0))) {
            Running leader = startOn(proxy.endpoint(), "--timeout-ms", "3000", "elect", "cut", "solo", "--ttl-ms", "2000");
            await().atMost(WAIT).until(() -> leader.out().contains("elected") || leader.exit.isDone());
            assertFalse(leader.exit.isDone(), leader.toString());
            proxy.cut();
            assertEquals(Ctl.EXIT_LOST, leader.exit(), leader.toString());
            assertTrue(leader.out().contains("revoked SUSPENDED"), leader.toString());
        }
    }

    @Test
    void counterReadsAndAddsAtomically() throws Exception {
        assertEquals("0\n", ctl("counter", "hits").out());
        assertEquals("5\n", ctl("counter", "hits", "--add", "5").out());
        assertEquals("3\n", ctl("counter", "hits", "--add", "-2").out());
        List<Running> adders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            adders.add(start("counter", "hits", "--add", "10"));
        }
        for (Running adder : adders) {
            assertEquals(0, adder.exit(), adder.toString());
        }
        assertEquals("43\n", ctl("counter", "hits").out());
        assertEquals("43", admin.get("/counters/hits").dataUtf8());
    }

    @Test
    void membersJoinsListsAndFollowsAGroup() throws Exception {
        Running watcher = start("members", "crew", "--watch", "--count", "3");
        await().atMost(WAIT).until(() -> watcher.out().lines().count() == 1);
        Running w1 = start("members", "crew", "--join", "w1", "--data", "10.0.0.1:9000");
        await().atMost(WAIT).until(() -> w1.out().contains("joined /groups/crew as w1"));

        Running list = ctl("members", "crew");
        assertEquals(0, list.exit(), list.toString());
        assertEquals("w1 10.0.0.1:9000\n", list.out());
        Running taken = ctl("members", "crew", "--join", "w1");
        assertEquals(Ctl.EXIT_CONFLICT, taken.exit(), "the id is taken: " + taken);

        w1.thread.interrupt(); // Ctrl-C: leave
        assertEquals(0, w1.exit(), w1.toString());
        assertEquals(0, watcher.exit(), watcher.toString());
        List<String> lines = watcher.out().lines().toList();
        assertTrue(lines.get(0).matches("\\d+"), lines.toString());
        assertTrue(lines.get(1).matches("\\d+ w1"), lines.toString());
        assertTrue(lines.get(2).matches("\\d+"), lines.toString());
        assertEquals("", ctl("members", "crew").out());
        assertEquals(Ctl.EXIT_USAGE, ctl("members", "crew", "--data", "x").exit());
    }

    @Test
    void aJoinedMemberWhoseSessionIsLostPrintsLeftAndExitsNine() throws Exception {
        try (CuttableProxy proxy = new CuttableProxy(cluster.endpoint(0))) {
            Running member = startOn(proxy.endpoint(), "--timeout-ms", "3000", "members", "cutcrew", "--join", "m",
                    "--ttl-ms", "2000");
            await().atMost(WAIT).until(() -> member.out().contains("joined") || member.exit.isDone());
            assertFalse(member.exit.isDone(), member.toString());
            proxy.cut();
            assertEquals(Ctl.EXIT_LOST, member.exit(), member.toString());
            assertTrue(member.out().contains("left SESSION_LOST"), member.toString());
        }
    }
}

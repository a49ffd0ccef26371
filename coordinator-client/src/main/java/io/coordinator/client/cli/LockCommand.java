package io.coordinator.client.cli;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.SessionState;
import io.coordinator.client.SessionStateListener;
import io.coordinator.client.recipes.DistributedMutex;
import io.coordinator.client.recipes.Lease;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.WatchKind;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.cli.Ctl.EXIT_FAILED;
import static io.coordinator.client.cli.Ctl.EXIT_LOST;
import static io.coordinator.client.cli.Ctl.EXIT_NOT_STARTED;
import static io.coordinator.client.cli.Ctl.EXIT_UNAVAILABLE;

/**
 * {@code ctl lock NAME -- COMMAND...}: runs a command while holding a {@link DistributedMutex}, like
 * {@code flock(1)} across machines, with the grant's fencing token in the command's environment.
 *
 * <p>Safety: the command starts only once the lock is granted, and the lock is released only after
 * the command has ended. The grant can still end under a running command (the session expires while
 * this process is cut off or paused); this process then sends the command SIGTERM the moment it
 * notices (LOST, or the lock node deleted) and exits {@value Ctl#EXIT_LOST}, but a command that must
 * never overlap with the next holder has to fence its writes with {@code COORDINATOR_LOCK_TOKEN}: the
 * notice is necessarily late, the fence is not. SUSPENDED only prints a warning: the session may well
 * survive, and the command keeps running; RECONNECTED prints that the lock is still held.
 */
@CommandLine.Command(name = "lock",
        customSynopsis = "ctl lock [--ttl-ms=N] [--wait-ms=N] NAME -- COMMAND [ARGS...]",
        description = {
        "Run COMMAND holding the lock NAME; exit with its exit code.",
        "The lock is the mutex /locks/NAME (a NAME starting with / is the full path).",
        "COMMAND runs once the lock is granted, with COORDINATOR_LOCK_TOKEN (the",
        "fencing token, decimal) and COORDINATOR_LOCK_NODE (the holder's node) set;",
        "the lock is released after it ends. Exits 6 if not granted within --wait-ms;",
        "9 if the lock was lost while COMMAND ran (session lost or node deleted:",
        "COMMAND got SIGTERM, SIGKILL 10 s later); 127 if COMMAND could not start.",
        "A fenced write from COMMAND (prints FAILURE once the grant is over):",
        "  ctl txn --if \"create $COORDINATOR_LOCK_NODE = $COORDINATOR_LOCK_TOKEN\" \\",
        "          --then 'set /x v'",
        "Example: ctl lock nightly-backup --wait-ms 60000 -- ./backup.sh"})
final class LockCommand extends Ctl.Sub {
    static final String TOKEN_ENV = "COORDINATOR_LOCK_TOKEN";
    static final String NODE_ENV = "COORDINATOR_LOCK_NODE";
    private static final long KILL_AFTER_MILLIS = 10_000;

    @Parameters(index = "0", paramLabel = "NAME", description = "The lock: /locks/NAME, or a full path.")
    String name;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    @Option(names = "--ttl-ms", paramLabel = "N", defaultValue = "10000",
            description = "Session TTL: how long the lock outlives this process if it dies (default: ${DEFAULT-VALUE}).")
    long ttlMillis;

    @Option(names = "--wait-ms", paramLabel = "N", defaultValue = "0",
            description = "Give up (exit 6) if the lock is not granted within N ms (default: wait as long as it takes).")
    long waitMillis;

    private String path;

    @Override
    boolean needsSession() {
        return true;
    }

    @Override
    void prepare() {
        path = RecipeNames.path(RecipeNames.LOCKS, name);
        RecipeNames.ttl(ttlMillis);
        if (waitMillis < 0) {
            throw new IllegalArgumentException("--wait-ms must not be negative");
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command: ctl lock NAME [options] -- COMMAND [ARGS...]");
        }
    }

    @Override
    ClientConfig config() {
        return super.config().toBuilder().sessionTtlMillis(ttlMillis).build();
    }

    @Override
    int run(Coordinator client) {
        DistributedMutex mutex = new DistributedMutex(client, path);
        Optional<Lease> granted;
        try {
            granted = waitMillis == 0 ? Optional.of(mutex.lock()) : mutex.tryLock(Duration.ofMillis(waitMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error("INTERRUPTED", "gave up waiting for " + path, EXIT_FAILED);
        }
        if (granted.isEmpty()) {
            return error(ErrorCode.UNAVAILABLE.name(), "lock " + path + " not granted within " + waitMillis + " ms",
                    EXIT_UNAVAILABLE);
        }
        Lease lease = granted.get();
        err().println("locked " + path + " token " + lease.token());
        err().flush();
        CompletableFuture<String> lost = new CompletableFuture<>();
        SessionStateListener states = state -> {
            switch (state) {
                case SUSPENDED -> note("warning: connection to the cluster lost; the lock holds while the session"
                        + " lives (ttl " + ttlMillis + " ms); fence writes with $" + TOKEN_ENV);
                case RECONNECTED -> note("reconnected: still holding " + path);
                case LOST -> lost.complete("the session was lost");
                case CONNECTED -> lost.complete("the session was replaced"); // a new session owns nothing
            }
        };
        client.addStateListener(states);
        try (Watch nodeWatch = watchNode(client, lease, lost)) {
            if (!lease.isHeld()) {
                lost.complete("the session was lost");
            }
            int exit = runCommand(client, lease, lost);
            if (!lost.isDone()) {
                release(mutex);
            }
            return exit;
        } finally {
            client.removeStateListener(states);
        }
    }

    /** The lock is lost when its node goes, whoever deletes it. */
    private static Watch watchNode(Coordinator client, Lease lease, CompletableFuture<String> lost) {
        return client.watch(lease.nodePath(), WatchKind.PERSISTENT, lease.token() + 1, new WatchListener() {
            @Override
            public void onEvents(WatchEvents events) {
                for (WatchEvent event : events.events()) {
                    if (event.type() == WatchEvent.Type.DELETED) {
                        lost.complete("the lock node " + lease.nodePath() + " was deleted");
                    }
                }
            }

            @Override
            public void onError(CoordinatorException error) {
                // Cannot follow the node any more: only assuming the worst is safe.
                lost.complete("cannot follow the lock node: " + error.code());
            }
        });
    }

    private int runCommand(Coordinator client, Lease lease, CompletableFuture<String> lost) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put(TOKEN_ENV, Long.toString(lease.token()));
        builder.environment().put(NODE_ENV, lease.nodePath());
        builder.redirectInput(ProcessBuilder.Redirect.INHERIT);
        if (!ctl.pipeChildOutput) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        out().flush();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return error("NOT_STARTED", String.join(" ", command) + ": " + e.getMessage(), EXIT_NOT_STARTED);
        }
        List<Thread> copiers = new ArrayList<>();
        if (ctl.pipeChildOutput) {
            copiers.add(copy(process.getInputStream(), out()));
            copiers.add(copy(process.getErrorStream(), err()));
        }
        // Ctrl-C (or SIGTERM to ctl): the command is stopped first, so that the lock is never given up
        // under a command still running; then closing the session releases the lock now rather than
        // after the TTL.
        Thread onExit = new Thread(() -> {
            stop(process);
            client.close();
        }, "ctl-lock-stop");
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            CompletableFuture.anyOf(process.onExit(), lost).get();
            if (lost.isDone()) {
                stop(process);
                join(copiers);
                return error("LOCK_LOST", lost.getNow("") + " while the command ran; it was sent SIGTERM", EXIT_LOST);
            }
            join(copiers);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(process);
            return error("INTERRUPTED", "stopped the command", EXIT_FAILED);
        } catch (ExecutionException e) {
            throw new IllegalStateException("never fails", e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running
            }
        }
    }

    /**
     * SIGTERM, then SIGKILL if it is still there after {@value #KILL_AFTER_MILLIS} ms. Through the
     * process handle: {@link Process#destroy()} would also close our ends of its pipes, losing what it
     * prints while it stops.
     */
    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.toHandle().destroy();
        try {
            if (!process.waitFor(KILL_AFTER_MILLIS, TimeUnit.MILLISECONDS)) {
                process.toHandle().destroyForcibly();
                process.waitFor(KILL_AFTER_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void release(DistributedMutex mutex) {
        try {
            mutex.unlock();
        } catch (CoordinatorException e) {
            note("note: could not delete the lock node (" + e.code() + "); it goes with the session");
        }
    }

    private void note(String line) {
        PrintWriter err = err();
        err.println(line);
        err.flush();
    }

    private static Thread copy(InputStream from, PrintWriter to) {
        Thread thread = new Thread(() -> {
            char[] buffer = new char[4096];
            try (Reader reader = new InputStreamReader(from, StandardCharsets.UTF_8)) {
                for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the command's end closes the stream
            }
        }, "ctl-lock-copy");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void join(List<Thread> threads) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}

package io.coordinator.client.cli;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.recipes.Leader;
import io.coordinator.client.recipes.LeaderElection;
import io.coordinator.client.recipes.Leadership;
import io.coordinator.client.watch.Watch;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.coordinator.client.cli.Ctl.EXIT_LOST;
import static io.coordinator.client.cli.Ctl.EXIT_OK;

/**
 * {@code ctl elect}: stands in a {@link LeaderElection} until Ctrl-C, or observes one.
 *
 * <p>Campaigning: prints {@code elected PATH token T} once it leads, then holds the term until Ctrl-C
 * (the shutdown hook resigns, so the next candidate leads at once; exit 0) or until the term is
 * revoked: SUSPENDED (the connection dropped: the session may live on, but this process can no
 * longer know it leads, so it stops at once), SESSION_LOST, NODE_DELETED. Then it prints
 * {@code revoked REASON} and exits {@value Ctl#EXIT_LOST}. RECONNECTED comes too late: the term is
 * already over, and the node is removed so that the next candidate need not wait for the TTL.
 * Whatever the leader does outside should be fenced with the printed token.
 */
@CommandLine.Command(name = "elect", description = {
        "Campaign in the election NAME with VALUE, or --observe it.",
        "The election is /election/NAME (a NAME starting with / is the full path).",
        "Prints 'elected PATH token T' once leader, and leads until Ctrl-C (resigns,",
        "exit 0) or until the term is revoked: connection lost, session lost or node",
        "deleted (prints 'revoked REASON', exit 9).",
        "--observe prints the leader, then one line per change: 'leader VALUE token T'",
        "or 'no leader'.",
        "Examples: ctl elect billing 10.0.0.7:8080",
        "          ctl elect billing --observe --count 1"})
final class ElectCommand extends Ctl.Sub {
    @Parameters(index = "0", paramLabel = "NAME", description = "The election: /election/NAME, or a full path.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "What to proclaim as leader (UTF-8).")
    String value;

    @Option(names = "--ttl-ms", paramLabel = "N", defaultValue = "10000",
            description = "Session TTL: how long a crashed leader blocks the next (default: ${DEFAULT-VALUE}).")
    long ttlMillis;

    @Option(names = "--observe", description = "Do not campaign: print the leader and each change.")
    boolean observe;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "With --observe: exit after N lines (default: until Ctrl-C).")
    long count;

    private String path;

    @Override
    boolean needsSession() {
        return !observe;
    }

    @Override
    void prepare() {
        path = RecipeNames.path(RecipeNames.ELECTIONS, name);
        RecipeNames.ttl(ttlMillis);
        if (observe == (value != null)) {
            throw new IllegalArgumentException("give a VALUE to campaign, or --observe to watch; not both");
        }
        if (count < 0 || (count > 0 && !observe)) {
            throw new IllegalArgumentException("--count N (N >= 0) is for --observe");
        }
    }

    @Override
    ClientConfig config() {
        return super.config().toBuilder().sessionTtlMillis(ttlMillis).build();
    }

    @Override
    int run(Coordinator client) {
        return observe ? observe(client) : campaign(client);
    }

    private int campaign(Coordinator client) {
        LeaderElection election = new LeaderElection(client, path);
        CompletableFuture<Leadership> campaign = election.campaignAsync(value.getBytes(StandardCharsets.UTF_8));
        CountDownLatch done = new CountDownLatch(1);
        // Ctrl-C: resign (or withdraw), so that the next candidate need not wait for the session to end.
        // The term reads as revoked as soon as the resign begins; the main thread then waits for the
        // resign's delete to finish before it returns and the client closes under it.
        CountDownLatch resigned = new CountDownLatch(1);
        AtomicBoolean resigning = new AtomicBoolean();
        Thread onCtrlC = new Thread(() -> {
            resigning.set(true);
            try {
                stopCampaign(campaign);
            } catch (RuntimeException e) {
                err().println("note: resign did not finish (" + e.getMessage() + "); the term ends with the session");
                err().flush();
            } finally {
                resigned.countDown();
            }
            awaitQuietly(done);
        }, "ctl-elect-resign");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            err().println("campaigning in " + path + " as " + value);
            err().flush();
            Leadership term = campaign.get();
            out().println("elected " + path + " token " + term.token());
            out().flush();
            Leadership.Reason reason = term.revoked().get();
            if (reason == Leadership.Reason.RESIGNED) {
                if (resigning.get()) {
                    resigned.await(client.config().requestTimeoutMillis() + 1_000, TimeUnit.MILLISECONDS);
                }
                err().println("resigned " + path);
                return EXIT_OK;
            }
            out().println("revoked " + reason);
            return error("LEADERSHIP_LOST", "the term in " + path + " (token " + term.token() + ") ended: " + reason,
                    EXIT_LOST);
        } catch (InterruptedException e) {
            // The in-process form of Ctrl-C (tests): the same clean exit.
            stopCampaign(campaign);
            err().println("resigned " + path);
            return EXIT_OK;
        } catch (CancellationException e) {
            return EXIT_OK; // Ctrl-C while campaigning
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // LockLostException, CoordinatorException: reported by the caller
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            out().flush();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running
            }
        }
    }

    private static void stopCampaign(CompletableFuture<Leadership> campaign) {
        if (!campaign.cancel(true)) {
            Leadership term = campaign.getNow(null);
            if (term != null) {
                term.resign();
            }
        }
    }

    private int observe(Coordinator client) {
        BlockingQueue<Optional<Leader>> changes = new LinkedBlockingQueue<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread onCtrlC = new Thread(() -> awaitQuietly(done), "ctl-elect-observe-stop");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try (Watch watch = new LeaderElection(client, path).observe(changes::add)) {
            for (long printed = 0; count == 0 || printed < count; printed++) {
                Optional<Leader> leader = changes.take();
                out().println(leader.map(l -> "leader " + new String(l.value(), StandardCharsets.UTF_8) + " token "
                        + l.token()).orElse("no leader"));
                out().flush();
            }
            return EXIT_OK;
        } catch (InterruptedException e) {
            return EXIT_OK;
        } finally {
            out().flush();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException e) {
                // shutting down
            }
        }
    }

    private static void awaitQuietly(CountDownLatch done) {
        try {
            done.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

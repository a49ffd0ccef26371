package io.coordinator.examples;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.GetResult;
import io.coordinator.client.recipes.DistributedQueue;
import io.coordinator.client.recipes.FencingException;
import io.coordinator.client.recipes.LeaderElection;
import io.coordinator.client.recipes.Leadership;
import io.coordinator.core.api.CreateMode;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A pool of workers with one elected leader that hands out the work. Each worker has its own client
 * (its own session, as separate processes would) and campaigns in one {@link LeaderElection}; while
 * it waits its turn it takes items from a {@link DistributedQueue} and does them. The leader numbers
 * items with a counter that it advances by a fenced write ({@code term.fence()}), so a leader whose
 * term is over can hand out nothing more, and it stops the moment {@link Leadership#revoked()}
 * completes. When the leader goes (here: its client is closed), the next candidate leads and the
 * numbering goes on where it stopped.
 *
 * <pre>
 * bin/example WorkerPool --workers 3 --interval-ms 500   # run two, Ctrl-C the one that leads
 * </pre>
 */
public final class WorkerPool implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final String path;
    private final long intervalMillis;
    private final PrintStream out;
    private final List<Worker> workers = new ArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private WorkerPool(String path, long intervalMillis, PrintStream out) {
        this.path = path;
        this.intervalMillis = intervalMillis;
        this.out = out;
    }

    public static void main(String[] argv) throws InterruptedException {
        WorkerPool pool;
        try {
            pool = start(argv, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(pool::close));
        pool.closed.await();
    }

    /** The whole program: what {@link #main} runs, printing to {@code out}, until closed. */
    public static WorkerPool start(String[] argv, PrintStream out) {
        Args args = Args.parse(argv, "--workers", "--path", "--interval-ms");
        WorkerPool pool = new WorkerPool(args.get("--path", "/examples/pool"), args.getInt("--interval-ms", 500), out);
        for (int i = 1; i <= args.getInt("--workers", 3); i++) {
            String name = "worker-" + ProcessHandle.current().pid() + "-" + i;
            pool.workers.add(pool.new Worker(name, Coordinator.connect(args.endpoints())));
        }
        pool.workers.forEach(w -> w.thread.start());
        return pool;
    }

    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    @Override
    public void close() {
        workers.forEach(Worker::close);
        closed.countDown();
    }

    /** One worker: a thread and a client of its own. */
    public final class Worker implements AutoCloseable {
        private final String name;
        private final Coordinator client;
        private final LeaderElection election;
        private final DistributedQueue items;
        private final Thread thread;
        private volatile Leadership term;
        private volatile boolean stopped;

        Worker(String name, Coordinator client) {
            this.name = name;
            this.client = client;
            this.election = new LeaderElection(client, path + "/leader");
            this.items = new DistributedQueue(client, path + "/items");
            this.thread = new Thread(this::run, name);
        }

        public String name() {
            return name;
        }

        /** True while this worker leads, as far as it knows. */
        public boolean isLeader() {
            Leadership t = term;
            return !stopped && t != null && t.isLeader();
        }

        private void run() {
            while (!stopped) {
                CompletableFuture<Leadership> campaign = election.campaignAsync(utf8(name));
                try {
                    while (!campaign.isDone() && !stopped) {
                        items.poll(POLL).ifPresent(this::work);  // each item goes to exactly one worker
                    }
                    if (!stopped) {
                        lead(campaign.join());
                    }
                } catch (CoordinatorException | CompletionException e) {
                    if (!stopped) {
                        out.printf("%s: %s; campaigning again%n", name, e.getMessage());
                    }
                } catch (InterruptedException e) {
                    return;
                } finally {
                    campaign.cancel(true);  // withdraws a candidacy still waiting; nothing once it has won
                }
            }
        }

        private void work(byte[] item) {
            out.printf("%s did %s%n", name, new String(item, StandardCharsets.UTF_8));  // the real work goes here
        }

        /** Hands out an item every interval until the term is revoked, and not a moment longer. */
        private void lead(Leadership won) throws InterruptedException {
            out.printf("%s leads (token %d)%n", name, won.token());
            term = won;  // after the line: whoever sees isLeader() has seen it printed
            CompletableFuture<Leadership.Reason> revoked = won.revoked();
            while (!stopped) {
                try {
                    Leadership.Reason reason = revoked.get(intervalMillis, TimeUnit.MILLISECONDS);
                    out.printf("%s no longer leads (token %d): %s%n", name, won.token(), reason);
                    return;
                } catch (TimeoutException stillLeading) {
                    handOut(won);
                } catch (FencingException e) {
                    // The cluster ended the term before this worker heard: the fence is what stops it.
                    out.printf("%s: term %d is over on the cluster, handing out nothing more%n", name, won.token());
                    return;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("revoked() never fails", e);
                }
            }
        }

        /** @throws FencingException when the term is over on the cluster (nothing handed out) */
        private void handOut(Leadership won) {
            String counterPath = path + "/next-item";
            if (client.exists(counterPath).isEmpty()) {
                won.fence().create(counterPath, utf8("1"), CreateMode.PERSISTENT);
            }
            GetResult next = client.get(counterPath);
            long number = Long.parseLong(next.dataUtf8());
            // Claims the number only while this term lasts: refused once a later leader may exist.
            won.fence().set(counterPath, utf8(Long.toString(number + 1)), next.stat().version());
            items.offer(utf8("item " + number + " from token " + won.token()));
        }

        /** Stops the worker and closes its client: its session ends, and with it its candidacy or term. */
        @Override
        public void close() {
            stopped = true;
            client.close();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.printf("%s stopped%n", name);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

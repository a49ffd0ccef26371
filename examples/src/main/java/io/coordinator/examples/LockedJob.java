package io.coordinator.examples;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.recipes.DistributedMutex;
import io.coordinator.client.recipes.FencingException;
import io.coordinator.client.recipes.Lease;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Stat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A job that must not overlap with itself across machines (a nightly export, a migration), guarded
 * by a {@link DistributedMutex} and fenced at the resource it writes.
 *
 * <p>It takes the lock, appends {@code --records} lines to a {@link FencedFile}, each carrying the
 * grant's fencing token, and records its run at {@code /jobs/NAME} with {@code lease.fence()}. The
 * lock alone cannot stop a holder that paused (GC, SIGSTOP) past the end of its session from
 * writing after the next holder; the tokens can: the file refuses a token lower than one it has
 * seen, and Coordinator refuses the fenced write once the grant's node is gone.
 *
 * <pre>
 * bin/example LockedJob --lock nightly-export --records 5 --file /tmp/ledger.txt   # start several at once
 * </pre>
 */
public final class LockedJob {
    /** What one run did: its lock grant's token, the lines it appended, the revision of its fenced write. */
    public record Result(String job, long token, int records, long recordRevision) {
    }

    public static void main(String[] argv) throws Exception {
        try {
            run(argv, System.out);
        } catch (FencingException e) {
            System.err.println("fenced out, nothing more written: " + e.getMessage());
            System.exit(9);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** The whole program: what {@link #main} runs, printing to {@code out}. */
    public static Result run(String[] argv, PrintStream out) throws InterruptedException, IOException {
        Args args = Args.parse(argv, "--lock", "--records", "--file", "--job");
        String name = args.get("--lock", "nightly-export");
        String lockPath = name.startsWith("/") ? name : "/locks/" + name;  // as `ctl lock NAME` does
        String jobPath = "/jobs/" + lockPath.substring(lockPath.lastIndexOf('/') + 1);
        int records = args.getInt("--records", 5);
        FencedFile file = new FencedFile(Path.of(args.get("--file", "fenced-ledger.txt")));
        String job = args.get("--job", "job-" + ProcessHandle.current().pid());

        try (Coordinator client = Coordinator.connect(args.endpoints())) {
            createIfAbsent(client, "/jobs");
            createIfAbsent(client, jobPath);

            DistributedMutex mutex = new DistributedMutex(client, lockPath);
            Lease lease = mutex.lock();  // waits its turn; tryLock(Duration) to give up instead
            try {
                long token = lease.token();
                out.printf("%s holds %s with fencing token %d%n", job, lockPath, token);
                for (int i = 1; i <= records; i++) {
                    // The file checks the token itself: refused if a later holder has written.
                    file.append(token, job + " record " + i + " of " + records);
                }
                out.printf("%s appended %d records to %s with token %d%n", job, records, file.path(), token);
                // A transaction that also compares the lock node's createRevision with the token.
                Stat stat = lease.fence().set(jobPath, utf8(job + " wrote " + records + " records with token " + token), -1);
                out.printf("%s recorded its run at %s (fenced write, revision %d)%n", job, jobPath, stat.modRevision());
                return new Result(job, token, records, stat.modRevision());
            } finally {
                mutex.unlock();
                out.printf("%s released %s%n", job, lockPath);
            }
        }
    }

    private static void createIfAbsent(Coordinator client, String path) {
        try {
            client.create(path, new byte[0], CreateMode.PERSISTENT);
        } catch (CoordinatorException.NodeExistsException e) {
            // made by an earlier run
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.coordinator.jepsen.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A host tool ({@code ip}, {@code iptables}) run to completion within a bound, its output kept. */
final class HostCommand {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** Root's tools live in sbin, which a non-login PATH may lack. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    /** What a command did: its exit code and its stdout and stderr together. */
    record Result(List<String> command, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        /** This result, or an exception naming the command and what it said. */
        Result orThrow() {
            if (!ok()) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exitCode + ": " + output.strip());
            }
            return this;
        }
    }

    private HostCommand() {
    }

    /** The absolute path of an executable on PATH or in the sbin directories, or null. */
    static String find(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(EXTRA_DIRS);
        for (String dir : dirs) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return null;
    }

    static Result run(String... command) {
        return run(null, List.of(command));
    }

    /** Runs {@code command}, feeding it {@code stdin} when not null; a command still running after {@link #TIMEOUT} is killed. */
    static Result run(String stdin, List<String> command) {
        return await(start(stdin, command));
    }

    /** Starts a command now and returns its pending result, so that several can run at once. */
    static Pending start(String stdin, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            return new Pending(List.copyOf(command), process, output);
        } catch (IOException e) {
            return new Pending(List.copyOf(command), null, CompletableFuture.completedFuture(e.toString()));
        }
    }

    /** A started command. */
    record Pending(List<String> command, Process process, CompletableFuture<String> output) {
    }

    static Result await(Pending pending) {
        if (pending.process() == null) {
            return new Result(pending.command(), -1, pending.output().join());
        }
        Process process = pending.process();
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                return new Result(pending.command(), -1, "still running after " + TIMEOUT.toSeconds() + " s; killed");
            }
            return new Result(pending.command(), process.exitValue(), pending.output().get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(pending.command(), -1, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return new Result(pending.command(), process.exitValue(), "(output unreadable: " + e + ")");
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

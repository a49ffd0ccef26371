package io.coordinator.jepsen.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Skews the wall clock of one member process at a time, with libfaketime (Debian's {@code faketime}
 * package) preloaded into each member: the member's {@code CLOCK_REALTIME} (Java's
 * {@code System.currentTimeMillis}, {@code Instant.now}) reads this host's time plus an offset that a
 * file of its own says, re-read at most a second later after it changes. The monotonic clock
 * ({@code System.nanoTime}) is left alone, as with Jepsen's clock nemesis, which moves the system
 * clock: timeouts measured on it stay true, and whatever trusts the wall clock meets the jump.
 *
 * <p>Members are started with {@link #environment}; a skew changes while they run.
 */
public final class ClockSkew {
    private static final List<Path> LIBRARY_PLACES = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
            Path.of("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
            Path.of("/usr/lib/faketime/libfaketime.so.1"),
            Path.of("/usr/local/lib/faketime/libfaketime.so.1"));
    /** Seconds libfaketime keeps an offset before it reads the file again. */
    private static final String REREAD_SECONDS = "1";

    private final Path directory;
    private final Path library;

    private ClockSkew(Path directory, Path library) {
        this.directory = directory;
        this.library = library;
    }

    /** Where libfaketime is, if installed. */
    public static Optional<Path> library() {
        return LIBRARY_PLACES.stream().filter(Files::isReadable).findFirst();
    }

    /** Why clocks cannot be skewed here, if they cannot. */
    public static Optional<String> unavailableReason() {
        return library().isPresent() ? Optional.empty()
                : Optional.of("libfaketime is not installed (apt-get install faketime); looked in " + LIBRARY_PLACES);
    }

    /**
     * @param directory where the members' offset files go
     * @throws IllegalStateException when libfaketime is not installed
     */
    public static ClockSkew in(Path directory) {
        Path library = library().orElseThrow(() -> new IllegalStateException(unavailableReason().orElseThrow()));
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ClockSkew(directory, library);
    }

    /** What {@code memberId}'s process needs in its environment; its clock starts unskewed. */
    public Map<String, String> environment(String memberId) {
        Path file = file(memberId);
        if (!Files.exists(file)) {
            write(file, Duration.ZERO);
        }
        return Map.of("LD_PRELOAD", library.toString(),
                "FAKETIME_TIMESTAMP_FILE", file.toString(),
                "FAKETIME_CACHE_DURATION", REREAD_SECONDS,
                "FAKETIME_DONT_FAKE_MONOTONIC", "1",
                // With the fix on (0.9.10's default), libfaketime shifts the deadlines of timed waits
                // on the monotonic clock by the offset: a JVM's Object.wait(4000) returned after 0.4 s
                // under a -10 s skew, and members spun in their timed waits and never started.
                "FAKETIME_FORCE_MONOTONIC_FIX", "0");
    }

    /** Sets {@code memberId}'s clock to this host's plus {@code offset} (whole seconds), within a second. */
    public void set(String memberId, Duration offset) {
        write(file(memberId), offset);
    }

    /** The longest a change takes to reach a running member. */
    public static Duration takesEffectWithin() {
        return Duration.ofSeconds(Long.parseLong(REREAD_SECONDS) + 1);
    }

    private Path file(String memberId) {
        return directory.resolve(memberId + ".faketime");
    }

    /** libfaketime's relative form: {@code +30s}, {@code -5s}; a rename makes the change whole. */
    private static void write(Path file, Duration offset) {
        long seconds = offset.toSeconds();
        try {
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.writeString(next, (seconds < 0 ? "-" : "+") + Math.abs(seconds) + "s\n", StandardCharsets.US_ASCII);
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

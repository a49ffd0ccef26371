package io.coordinator.jepsen.baseline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * An etcd cluster of separate {@code etcd} processes on 127.0.0.1 (the binary from Debian's
 * {@code etcd-server}), each with its own data directory under {@code dir}. Everything else is
 * etcd's default, fsync of the WAL included.
 */
public final class EtcdCluster implements AutoCloseable {
    /** Where the binary is looked for after every PATH entry: the Debian package installs it here. */
    public static final List<Path> FALLBACK_DIRS = List.of(Path.of("/usr/bin"));

    /**
     * One member: its name, the port serving clients (gRPC and the HTTP/JSON gateway), its peer port,
     * and the address it binds them on (127.0.0.1 for the benchmark; its own network namespace's for the
     * harness).
     */
    public record Member(String name, int clientPort, int peerPort, String host) {
        public Member(String name, int clientPort, int peerPort) {
            this(name, clientPort, peerPort, "127.0.0.1");
        }

        public String clientUrl() {
            return "http://" + host + ":" + clientPort;
        }

        public String peerUrl() {
            return "http://" + host + ":" + peerPort;
        }
    }

    private final List<Member> members;
    private final MemberProcesses processes;

    private EtcdCluster(List<Member> members, MemberProcesses processes) {
        this.members = members;
        this.processes = processes;
    }

    /** The etcd binary on this machine's PATH or in /usr/bin, if any. */
    public static Optional<Path> findBinary() {
        return findBinary(System.getenv().getOrDefault("PATH", ""), FALLBACK_DIRS);
    }

    static Optional<Path> findBinary(String pathVariable, List<Path> fallbackDirs) {
        List<Path> dirs = new ArrayList<>();
        for (String entry : pathVariable.split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                dirs.add(Path.of(entry));
            }
        }
        dirs.addAll(fallbackDirs);
        return dirs.stream().map(dir -> dir.resolve("etcd"))
                .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file)).findFirst();
    }

    /** The first line of {@code etcd --version}, e.g. "etcd Version: 3.4.23". */
    public static String version(Path binary) {
        try {
            Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("etcd (unknown version)").trim();
        } catch (IOException e) {
            return "etcd (unknown version: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "etcd (unknown version)";
        }
    }

    /** Members m1..m{count} on the given ports, two per member (client, peer). */
    public static List<Member> layout(List<Integer> ports, int count) {
        if (ports.size() < 2 * count) {
            throw new IllegalArgumentException("need " + 2 * count + " ports, got " + ports.size());
        }
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(new Member("m" + (i + 1), ports.get(2 * i), ports.get(2 * i + 1)));
        }
        return List.copyOf(members);
    }

    /** The command line that starts {@code self} as one member of a new cluster of {@code members}. */
    public static List<String> commandLine(Path binary, Member self, List<Member> members, Path dataDir,
                                           String clusterToken) {
        String initialCluster = members.stream().map(m -> m.name() + "=" + m.peerUrl())
                .collect(Collectors.joining(","));
        return List.of(binary.toString(),
                "--name", self.name(),
                "--data-dir", dataDir.toAbsolutePath().toString(),
                "--listen-client-urls", self.clientUrl(),
                "--advertise-client-urls", self.clientUrl(),
                "--listen-peer-urls", self.peerUrl(),
                "--initial-advertise-peer-urls", self.peerUrl(),
                "--initial-cluster", initialCluster,
                "--initial-cluster-state", "new",
                "--initial-cluster-token", clusterToken,
                "--logger", "zap",
                "--log-outputs", "stderr");
    }

    /** Starts {@code count} members with data and logs under {@code dir}. */
    public static EtcdCluster start(Path binary, Path dir, int count) throws IOException {
        List<Member> members = layout(MemberProcesses.freePorts(2 * count), count);
        String token = "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        MemberProcesses processes = new MemberProcesses("etcd");
        EtcdCluster cluster = new EtcdCluster(members, processes);
        try {
            Files.createDirectories(dir);
            for (Member member : members) {
                // etcd creates the data directory itself, with the 0700 mode it insists on.
                processes.start(member.name(), commandLine(binary, member, members, dir.resolve(member.name() + ".etcd"),
                        token), dir.resolve(member.name() + ".log"));
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public List<Member> members() {
        return members;
    }

    /**
     * Waits until a member says it is the leader (its maintenance status names itself) and a write
     * through it succeeds, and returns it; fails early if a member exits.
     */
    public Member awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            processes.requireAllRunning();
            for (Member member : members) {
                EtcdHttp http = new EtcdHttp(member.clientUrl(), Duration.ofSeconds(2));
                try {
                    EtcdHttp.Status status = http.status().get(3, TimeUnit.SECONDS);
                    if (status.isLeader()) {
                        http.put("bench-ready".getBytes(StandardCharsets.UTF_8), new byte[0]).get(5, TimeUnit.SECONDS);
                        return member;
                    }
                } catch (ExecutionException | TimeoutException notYet) {
                    // not up, no leader yet, or no quorum for the write: ask again
                } finally {
                    http.close();
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no etcd leader within " + timeout + processes.logTails());
    }

    public String logTails() {
        return processes.logTails();
    }

    @Override
    public void close() {
        processes.close();
    }
}

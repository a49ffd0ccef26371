package io.coordinator.jepsen.baseline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OS processes of one baseline cluster (ZooKeeper or etcd members), each writing to its own log
 * file. Closing kills them all with SIGKILL, and so does the JVM's exit (Ctrl-C included); once
 * closed, nothing more can be started, so a start racing with the exit hook leaves no orphan.
 */
public final class MemberProcesses implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MemberProcesses.class);
    private static final long EXIT_WAIT_SECONDS = 15;

    private final String system;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Path> logFiles = new LinkedHashMap<>();
    private final Thread exitHook;
    private boolean closed;

    /** Registers the exit hook; throws IllegalStateException if the JVM is already exiting. */
    public MemberProcesses(String system) {
        this.system = system;
        this.exitHook = new Thread(this::killAll, system + "-members-exit");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    public synchronized void start(String memberId, List<String> command, Path logFile) {
        if (closed) {
            throw new IllegalStateException(system + " members are closed; not starting " + memberId);
        }
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            processes.put(memberId, process);
            logFiles.put(memberId, logFile);
            log.info("started {} member {} (pid {})", system, memberId, process.pid());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + system + " member " + memberId + ": " + command, e);
        }
    }

    /** Throws, with every member's log tail, if any member process has exited. */
    public synchronized void requireAllRunning() {
        for (Map.Entry<String, Process> entry : processes.entrySet()) {
            if (!entry.getValue().isAlive()) {
                throw new IllegalStateException(system + " member " + entry.getKey() + " exited with status "
                        + entry.getValue().exitValue() + logTails());
            }
        }
    }

    /** The last lines of every member's log, for an error message. */
    public synchronized String logTails() {
        StringBuilder tails = new StringBuilder();
        for (Map.Entry<String, Path> entry : logFiles.entrySet()) {
            tails.append(System.lineSeparator()).append("--- last lines of ").append(entry.getValue()).append(':')
                    .append(System.lineSeparator()).append(tail(entry.getValue(), 15));
        }
        return tails.toString();
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private synchronized void killAll() {
        closed = true;
        processes.values().forEach(Process::destroyForcibly);
        for (Process process : processes.values()) {
            try {
                process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException alreadyExiting) {
            // the hook itself is running or has run
        }
    }

    /** {@code count} ports of 127.0.0.1 that were free a moment ago (held together, so distinct). */
    public static List<Integer> freePorts(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                held.add(socket);
                socket.bind(new InetSocketAddress("127.0.0.1", 0));
            }
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find " + count + " free ports", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // it was only probing
                }
            }
        }
    }
}

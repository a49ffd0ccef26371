package io.coordinator.jepsen;

import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.Partitions;
import io.coordinator.jepsen.cluster.ProcessCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One test's three member processes behind fault proxies, with a leader, and everything the test
 * opened on them. Closing it closes those in reverse order, prints the fault timeline, stops the
 * members and deletes their data, unless {@code -D<name>.keep-data=true} asks to keep it.
 */
final class ProxiedClusterRun implements AutoCloseable {
    final Path dataDir;
    final ProcessCluster cluster;
    final Partitions nemesis;
    final ClusterView view;
    private final String keepDataProperty;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private ProxiedClusterRun(String name, Path dataDir, ProcessCluster cluster) {
        this.keepDataProperty = name + ".keep-data";
        this.dataDir = dataDir;
        this.cluster = cluster;
        this.nemesis = cluster.partitions();
        this.view = new ClusterView(cluster);
    }

    /** @param name the data directory's prefix and the keep-data property's: "partition-test" */
    static ProxiedClusterRun start(String name) throws Exception {
        Path dataDir = Files.createTempDirectory(name);
        ProxiedClusterRun run;
        try {
            run = new ProxiedClusterRun(name, dataDir,
                    ProcessCluster.startWithProxies(dataDir, 3, ProcessCluster.freeBasePort(3)));
        } catch (Exception | Error e) {
            ProcessCluster.deleteRecursively(dataDir);
            throw e;
        }
        try {
            run.view.awaitLeader(Duration.ofSeconds(60));
        } catch (RuntimeException | Error e) {
            run.close();
            throw e;
        }
        return run;
    }

    <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                System.out.println("closing " + closeables.get(i) + ": " + e);
            }
        }
        nemesis.timeline().forEach(event -> System.out.println("  fault timeline: " + event));
        cluster.close();
        if (Boolean.getBoolean(keepDataProperty)) {
            System.out.println("kept member data and logs in " + dataDir);
        } else {
            ProcessCluster.deleteRecursively(dataDir);
        }
    }
}

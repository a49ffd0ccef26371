package io.coordinator.jepsen.baseline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How etcd members are found and started; no etcd is started here. */
class EtcdClusterTest {
    private static final List<EtcdCluster.Member> MEMBERS = EtcdCluster.layout(List.of(2379, 2380, 2479, 2480, 2579, 2580), 3);

    @Test
    void eachMemberListensOnLoopbackAndKnowsTheWholeInitialCluster() {
        List<String> command = EtcdCluster.commandLine(Path.of("/usr/bin/etcd"), MEMBERS.get(1), MEMBERS,
                Path.of("/data/m2.etcd"), "bench-1");

        assertEquals(List.of("/usr/bin/etcd",
                "--name", "m2",
                "--data-dir", "/data/m2.etcd",
                "--listen-client-urls", "http://127.0.0.1:2479",
                "--advertise-client-urls", "http://127.0.0.1:2479",
                "--listen-peer-urls", "http://127.0.0.1:2480",
                "--initial-advertise-peer-urls", "http://127.0.0.1:2480",
                "--initial-cluster", "m1=http://127.0.0.1:2380,m2=http://127.0.0.1:2480,m3=http://127.0.0.1:2580",
                "--initial-cluster-state", "new",
                "--initial-cluster-token", "bench-1",
                "--logger", "zap",
                "--log-outputs", "stderr"), command);
    }

    @Test
    void theBinaryIsTheFirstExecutableEtcdOnThePathThenInTheFallbackDirectories(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path fallback = Files.createDirectory(dir.resolve("fallback"));
        Path notExecutable = Files.createDirectory(dir.resolve("noexec"));
        Files.writeString(notExecutable.resolve("etcd"), "");
        Path binary = Files.writeString(fallback.resolve("etcd"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        String path = empty + File.pathSeparator + notExecutable;

        assertEquals(Optional.empty(), EtcdCluster.findBinary(path, List.of()));
        assertEquals(Optional.of(binary), EtcdCluster.findBinary(path, List.of(fallback)));
        assertEquals(Optional.of(binary), EtcdCluster.findBinary(fallback.toString(), List.of()));
    }
}

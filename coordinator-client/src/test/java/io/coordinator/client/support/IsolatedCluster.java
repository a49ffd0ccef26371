package io.coordinator.client.support;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Real members in this JVM, for client tests. The client module does not depend on the server
 * module (and its pom is not ours to change here), so the members come from the server's shaded jar
 * ({@code coordinator-server/target/coordinator-server-*-all.jar}, built by {@code mvn install
 * -DskipTests} or earlier in the same reactor run, or given by {@code -Dcoordinator.server.jar=}),
 * loaded in a class loader of their own and driven by reflection: {@code ConfigLoader} for the
 * config (so overrides are plain {@code dotted.key=value} strings), {@code Member.start} and
 * {@code close}. Without the jar the test is skipped, saying why.
 *
 * <p>Member i (from 0) listens for clients on 127.0.0.1 at {@link #endpoint(int)}, for HTTP at
 * {@link #httpEndpoint(int)}. close() stops
 * every member and removes the data.
 */
public final class IsolatedCluster implements AutoCloseable {
    private final Path dataDir;
    private final URLClassLoader loader;
    private final List<String> endpoints = new ArrayList<>();
    private final List<String> httpEndpoints = new ArrayList<>();
    private final List<Object> members = new ArrayList<>();

    private IsolatedCluster(Path dataDir, URLClassLoader loader) {
        this.dataDir = dataDir;
        this.loader = loader;
    }

    /** Starts {@code count} members with the given config overrides (e.g. "limits.watch-history-events-max" -> "5"). */
    public static IsolatedCluster start(int count, Map<String, String> overrides) throws Exception {
        Path jar = serverJar();
        Assumptions.assumeTrue(jar != null, "no coordinator-server-*-all.jar: run mvn install -DskipTests first");
        Path dir = Files.createTempDirectory("coordinator-client-test");
        URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        IsolatedCluster cluster = new IsolatedCluster(dir, loader);
        // The members' libraries (Jackson modules, Atomix's serializers) look classes up through the
        // context class loader; threads the members start inherit it.
        Thread self = Thread.currentThread();
        ClassLoader previous = self.getContextClassLoader();
        self.setContextClassLoader(loader);
        try {
            cluster.startMembers(count, overrides);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        } finally {
            self.setContextClassLoader(previous);
        }
    }

    private void startMembers(int count, Map<String, String> overrides) throws Exception {
        Class<?> layout = loader.loadClass("io.coordinator.server.config.LocalClusterLayout");
        Class<?> configLoader = loader.loadClass("io.coordinator.server.config.ConfigLoader");
        Class<?> serverConfig = loader.loadClass("io.coordinator.server.config.ServerConfig");
        Class<?> member = loader.loadClass("io.coordinator.server.member.Member");
        Method membersOf = layout.getMethod("members", String.class, int.class, int.class);
        Method memberConfig = layout.getMethod("memberConfig", List.class, String.class, Path.class);
        Method toYaml = configLoader.getMethod("toYaml", serverConfig);
        Method load = configLoader.getMethod("load", Path.class, Map.class);
        Method start = member.getMethod("start", serverConfig);

        int base = freeBase(count);
        List<?> addresses = (List<?>) membersOf.invoke(null, "127.0.0.1", base, count);
        for (int i = 1; i <= count; i++) {
            Object config = memberConfig.invoke(null, addresses, "m" + i, dataDir);
            Path file = dataDir.resolve("m" + i + ".yaml");
            Files.writeString(file, (String) toYaml.invoke(null, config));
            Object tuned = load.invoke(null, file, overrides);
            endpoints.add("127.0.0.1:" + (base + i));
            httpEndpoints.add("127.0.0.1:" + (base + 200 + i));
            members.add(invoke(() -> start.invoke(null, tuned)));
        }
    }

    public String endpoint(int i) {
        return endpoints.get(i);
    }

    /** Member {@code i}'s HTTP gateway, host:port (LocalClusterLayout puts it at base + 200 + i). */
    public String httpEndpoint(int i) {
        return httpEndpoints.get(i);
    }

    /** Every member's endpoint, comma-separated, in order. */
    public String endpoints() {
        return String.join(",", endpoints);
    }

    /** Stops member {@code i} (Member.close): its clients lose their connections. */
    public void stop(int i) throws Exception {
        Object m = members.get(i);
        if (m != null) {
            members.set(i, null);
            Method close = m.getClass().getMethod("close");
            invoke(() -> close.invoke(m));
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < members.size(); i++) {
            try {
                stop(i);
            } catch (Exception e) {
                // keep stopping the rest
            }
        }
        loader.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private interface Reflective {
        Object call() throws Exception;
    }

    private static Object invoke(Reflective call) throws Exception {
        try {
            return call.call();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
    }

    private static Path serverJar() throws IOException {
        String given = System.getProperty("coordinator.server.jar");
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        Path target = Path.of("..", "coordinator-server", "target").toAbsolutePath().normalize();
        if (!Files.isDirectory(target)) {
            return null;
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("coordinator-server-.*-all\\.jar"))
                    .findFirst().orElse(null);
        }
    }

    private static int freeBase(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 40_000 + ThreadLocalRandom.current().nextInt(0, 200) * 100;
            if (free(base, count)) {
                return base;
            }
        }
        throw new IOException("no free port range");
    }

    private static boolean free(int base, int count) {
        for (int i = 1; i <= count; i++) {
            for (int port : new int[]{base + i, base + 100 + i, base + 200 + i}) {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(new InetSocketAddress("127.0.0.1", port));
                } catch (IOException e) {
                    return false;
                }
            }
        }
        return true;
    }
}

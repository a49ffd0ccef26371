package io.coordinator.server.cli;

import io.coordinator.server.config.ConfigLoader;
import io.coordinator.server.config.LocalClusterLayout;
import io.coordinator.server.config.MemberAddress;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.member.Member;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Entry point of the member jar: {@code server} runs one member, {@code local-cluster} runs N in one JVM. */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
        subcommands = {ServerMain.Server.class, ServerMain.LocalCluster.class},
        description = "Coordinator member process")
public final class ServerMain {

    public static void main(String[] args) {
        LogTimeZone.useUtc();
        System.exit(new CommandLine(new ServerMain()).execute(args));
    }

    @Command(name = "server", mixinStandardHelpOptions = true, description = "Run one member from a config file.")
    public static final class Server implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "YAML config file (see config/README.md)")
        Path config;

        @Option(names = "--set", description = "Override a config key, e.g. --set limits.data-bytes-max=2048")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            ServerConfig serverConfig = ConfigLoader.load(config, overrides);
            runUntilStopped(List.of(serverConfig));
            return 0;
        }
    }

    @Command(name = "local-cluster", mixinStandardHelpOptions = true,
            description = "Run N members in this process, in the foreground, on one host.")
    public static final class LocalCluster implements Callable<Integer> {
        @Option(names = "--members", defaultValue = "3", description = "Number of members (default ${DEFAULT-VALUE})")
        int members;

        @Option(names = "--data-dir", required = true, description = "Each member keeps its data in DIR/m<i>")
        Path dataDir;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--base-port", defaultValue = "7000",
                description = "Member i listens for clients on base+i, peers on base+100+i (default ${DEFAULT-VALUE})")
        int basePort;

        @Override
        public Integer call() throws Exception {
            List<MemberAddress> addresses = LocalClusterLayout.members(host, basePort, members);
            List<ServerConfig> configs = new ArrayList<>();
            for (MemberAddress address : addresses) {
                configs.add(LocalClusterLayout.memberConfig(addresses, address.id(), dataDir.toAbsolutePath()));
            }
            System.out.println("client endpoints: "
                    + String.join(",", addresses.stream().map(MemberAddress::clientEndpoint).toList()));
            runUntilStopped(configs);
            return 0;
        }
    }

    private static void runUntilStopped(List<ServerConfig> configs) throws Exception {
        List<Member> running = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.forEach(Member::close);
            stopped.countDown();
        }, "shutdown"));
        for (ServerConfig config : configs) {
            running.add(Member.start(config));
        }
        stopped.await();
    }
}

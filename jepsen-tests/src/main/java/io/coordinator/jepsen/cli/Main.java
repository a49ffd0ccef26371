package io.coordinator.jepsen.cli;

import io.coordinator.client.cli.Ctl;
import io.coordinator.jepsen.bench.Bench;
import io.coordinator.jepsen.bench.RecipeBench;
import io.coordinator.jepsen.checker.Check;
import io.coordinator.jepsen.harness.Harness;
import io.coordinator.server.cli.LogTimeZone;
import io.coordinator.server.cli.ServerMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single entry point behind {@code bin/coordinator}: the member ({@code server},
 * {@code local-cluster}), the command line client ({@code ctl}), and the harness's {@code demo},
 * {@code bench}, {@code check}, {@code harness} and {@code report}. It only dispatches; each subcommand lives with the module it belongs to.
 */
@Command(name = "coordinator", mixinStandardHelpOptions = true, version = "coordinator 0.1.0",
        description = "Coordinator: a Raft-replicated, CP coordination service.")
public final class Main {

    public static void main(String[] args) {
        LogTimeZone.useUtc(); // before anything logs: every line's time in UTC
        // The demo and ctl talk to people: only warnings from the libraries underneath. Members
        // started as separate processes keep their own INFO logs in their log files.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null
                && (args.length == 0 || !args[0].equals("server") && !args[0].equals("local-cluster"))) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        CommandLine commandLine = new CommandLine(new Main())
                .addSubcommand("demo", new Demo())
                .addSubcommand("server", new ServerMain.Server())
                .addSubcommand("local-cluster", new ServerMain.LocalCluster())
                .addSubcommand("ctl", new Ctl())
                .addSubcommand("bench", new Bench())
                .addSubcommand("check", new Check())
                .addSubcommand("harness", new Harness())
                .addSubcommand("report", new io.coordinator.jepsen.harness.ReportCommand())
                .addSubcommand("bench-recipes", new RecipeBench());
        System.exit(commandLine.execute(args));
    }
}

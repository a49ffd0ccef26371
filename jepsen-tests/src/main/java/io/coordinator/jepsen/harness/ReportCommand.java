package io.coordinator.jepsen.harness;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code coordinator report DIR...}: (re)writes each harness run folder's {@code report.html} from its files. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write report.html into harness run folders, from their history.jsonl, timeline.txt and",
                "verdict.json (a folder without verdict.json is drawn as not judged).",
                "Exit: 0 written, 2 a folder could not be read or written."})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Run folders.")
    private List<Path> folders;

    @Override
    public Integer call() {
        int exit = 0;
        for (Path folder : folders) {
            try {
                Path file = HtmlReport.write(folder);
                spec.commandLine().getOut().println(file);
            } catch (IOException | RuntimeException e) {
                spec.commandLine().getErr().println(folder + ": cannot write the report: " + e.getMessage());
                exit = 2;
            }
        }
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
        return exit;
    }
}

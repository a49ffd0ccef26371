package io.coordinator.client.cli;

import io.coordinator.client.Coordinator;
import io.coordinator.client.recipes.AtomicCounter;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.coordinator.client.cli.Ctl.EXIT_OK;

/**
 * {@code ctl counter NAME [--add N]}: an {@link AtomicCounter}. Adding is a compare-and-set loop, so
 * concurrent adders lose nothing; a TIMEOUT (exit 7) means the add may or may not have happened, and
 * is not retried, so that it is never applied twice.
 */
@CommandLine.Command(name = "counter", description = {
        "Print the counter NAME, or --add N to it atomically and print the result.",
        "The counter is /counters/NAME (a NAME starting with / is the full path); 0",
        "if it does not exist. Exit 7: the add's outcome is unknown (not retried).",
        "Example: ctl counter deploys --add 1"})
final class CounterCommand extends Ctl.Sub {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--add", paramLabel = "N", description = "Add N (may be negative) and print the new value.")
    Long add;

    private String path;

    @Override
    boolean needsSession() {
        return add != null;
    }

    @Override
    void prepare() {
        path = RecipeNames.path(RecipeNames.COUNTERS, name);
    }

    @Override
    int run(Coordinator client) {
        AtomicCounter counter = new AtomicCounter(client, path);
        long value = add == null ? counter.get() : counter.add(add);
        if (ctl.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("path", path);
            doc.put("value", value);
            json(doc);
        } else {
            out().println(value);
        }
        return EXIT_OK;
    }
}

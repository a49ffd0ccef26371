package io.coordinator.client.cli;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.recipes.GroupMember;
import io.coordinator.client.recipes.GroupMembership;
import io.coordinator.client.recipes.GroupView;
import io.coordinator.client.recipes.Subscription;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.cli.Ctl.EXIT_LOST;
import static io.coordinator.client.cli.Ctl.EXIT_OK;

/**
 * {@code ctl members}: reads, follows or joins a {@link GroupMembership}. A joined member stays in
 * the group while this process runs: SUSPENDED and RECONNECTED change nothing (the session may live,
 * and membership is not exclusive); on LOST, or its node deleted, it prints {@code left REASON} and
 * exits {@value Ctl#EXIT_LOST}; Ctrl-C leaves the group (exit 0).
 */
@CommandLine.Command(name = "members", description = {
        "Print, follow (--watch) or join (--join) the group GROUP.",
        "The group is /groups/GROUP (a GROUP starting with / is the full path).",
        "Prints 'ID DATA' per member, as of one read. --watch prints 'REVISION ID...'",
        "now and after each change. --join ID stays a member (with --data) until",
        "Ctrl-C (leaves, exit 0) or until the session is lost ('left REASON', exit 9).",
        "Examples: ctl members workers",
        "          ctl members workers --join w7 --data 10.0.0.7:9000"})
final class MembersCommand extends Ctl.Sub {
    @Parameters(index = "0", paramLabel = "GROUP")
    String name;

    @Option(names = "--join", paramLabel = "ID", description = "Join as ID and stay until Ctrl-C.")
    String joinId;

    @Option(names = "--data", paramLabel = "DATA", description = "With --join: the member's data (UTF-8).")
    String data;

    @Option(names = "--ttl-ms", paramLabel = "N", defaultValue = "10000",
            description = "With --join: session TTL, how long a crashed member stays listed (default: ${DEFAULT-VALUE}).")
    long ttlMillis;

    @Option(names = "--watch", description = "Print the members now and after each change.")
    boolean watch;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "With --watch: exit after N lines (default: until Ctrl-C).")
    long count;

    private String path;

    @Override
    boolean needsSession() {
        return joinId != null;
    }

    @Override
    void prepare() {
        path = RecipeNames.path(RecipeNames.GROUPS, name);
        RecipeNames.ttl(ttlMillis);
        if (joinId != null && watch) {
            throw new IllegalArgumentException("--join or --watch, not both");
        }
        if (data != null && joinId == null) {
            throw new IllegalArgumentException("--data is for --join");
        }
        if (count < 0 || (count > 0 && !watch)) {
            throw new IllegalArgumentException("--count N (N >= 0) is for --watch");
        }
    }

    @Override
    ClientConfig config() {
        return super.config().toBuilder().sessionTtlMillis(ttlMillis).build();
    }

    @Override
    int run(Coordinator client) {
        GroupMembership group = new GroupMembership(client, path);
        if (joinId != null) {
            return join(group);
        }
        if (watch) {
            return watch(group);
        }
        GroupView view = group.members();
        if (ctl.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("path", path);
            Map<String, String> members = new LinkedHashMap<>();
            view.members().forEach((id, bytes) -> members.put(id, new String(bytes, StandardCharsets.UTF_8)));
            doc.put("members", members);
            doc.put("revision", view.revision());
            json(doc);
        } else {
            view.members().forEach((id, bytes) -> out().println(id + " " + new String(bytes, StandardCharsets.UTF_8)));
        }
        return EXIT_OK;
    }

    private int join(GroupMembership group) {
        GroupMember member = group.join(joinId, data == null ? new byte[0] : data.getBytes(StandardCharsets.UTF_8));
        CountDownLatch done = new CountDownLatch(1);
        Thread onCtrlC = new Thread(() -> {
            member.leave();
            try {
                done.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ctl-members-leave");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            out().println("joined " + path + " as " + joinId);
            out().flush();
            GroupMember.Reason reason = member.ended().get();
            if (reason == GroupMember.Reason.LEFT) {
                return EXIT_OK;
            }
            out().println("left " + reason);
            return error("MEMBERSHIP_LOST", joinId + " is no longer a member of " + path + ": " + reason, EXIT_LOST);
        } catch (InterruptedException e) {
            member.leave(); // the in-process form of Ctrl-C (tests)
            return EXIT_OK;
        } catch (ExecutionException e) {
            throw new IllegalStateException("never fails", e);
        } finally {
            out().flush();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running
            }
        }
    }

    private int watch(GroupMembership group) {
        BlockingQueue<GroupView> views = new LinkedBlockingQueue<>();
        try (Subscription ignored = group.listen(views::add)) {
            for (long printed = 0; count == 0 || printed < count; printed++) {
                GroupView view = views.take();
                List<String> line = new ArrayList<>();
                line.add(Long.toString(view.revision()));
                line.addAll(view.members().keySet());
                out().println(String.join(" ", line));
                out().flush();
            }
            return EXIT_OK;
        } catch (InterruptedException e) {
            return EXIT_OK;
        }
    }
}

package io.coordinator.examples;

import io.coordinator.client.Coordinator;
import io.coordinator.client.support.CuttableProxy;
import io.coordinator.core.api.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.coordinator.examples.ExampleCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReloaderTest {
    /** Members keep this many events for watches; a watch that misses more is COMPACTED. */
    private static final int HISTORY = 30;

    private static ExampleCluster cluster;
    private static Coordinator admin;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ExampleCluster.start(Map.of("limits.watch-history-events-max", Integer.toString(HISTORY)));
        admin = cluster.admin;
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static long create(String path, String value) {
        return admin.create(path, value.getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT).revision();
    }

    private static long set(String path, String value) {
        return admin.set(path, value.getBytes(StandardCharsets.UTF_8), -1).modRevision();
    }

    @Test
    void theServiceLoadsItsConfigurationAndReloadsOnEveryChangeInOrder() {
        create("/svc", "");
        create("/svc/config", "");
        create("/svc/config/db", "primary");
        create("/svc/config/pool", "10");
        Output out = new Output();
        ConfigReloader service = ConfigReloader.start(new String[]{"--endpoints", cluster.endpoints(), "--root", "/svc/config"}, out.stream());
        try {
            long loaded = service.current().revision();
            // No waiting between the writes: every one of them must still be heard, in order.
            long changed = set("/svc/config/db", "replica");
            long added = create("/svc/config/flags", "on");
            long removed = admin.delete("/svc/config/pool", -1).revision();
            long changedAgain = set("/svc/config/flags", "off");
            long untouched = set("/svc/config/db", "replica");  // a write that changes no value: nothing to reload

            await().atMost(WAIT).until(() -> service.current().revision() >= untouched);
            assertEquals(List.of(
                    "loaded /svc/config at revision " + loaded + ": {db=primary, pool=10}",
                    "reloaded at revision " + changed + ": {db=replica, pool=10} (changed db)",
                    "reloaded at revision " + added + ": {db=replica, flags=on, pool=10} (added flags)",
                    "reloaded at revision " + removed + ": {db=replica, flags=on} (removed pool)",
                    "reloaded at revision " + changedAgain + ": {db=replica, flags=off} (changed flags)"), out.lines());
            assertEquals(new TreeMap<>(Map.of("db", "replica", "flags", "off")), service.current().values());
        } finally {
            service.close();
        }
    }

    @Test
    void aServiceCutOffLongerThanTheMembersKeepEventsIsRebuiltAndReloadsTheDifference() throws Exception {
        create("/cut", "");
        create("/cut/config", "");
        create("/cut/config/db", "primary");
        create("/cut/config/pool", "10");
        create("/noise", "0");
        Output out = new Output();
        try (CuttableProxy proxy = new CuttableProxy(cluster.members.endpoint(0))) {
            ConfigReloader service = ConfigReloader.start(new String[]{"--endpoints", proxy.endpoint(), "--root", "/cut/config"}, out.stream());
            try {
                long loaded = service.current().revision();
                proxy.cut();
                set("/cut/config/db", "replica");
                admin.delete("/cut/config/pool", -1);
                long last = 0;
                for (int i = 1; i <= HISTORY + 10; i++) {  // more events than the members keep for the watch
                    last = set("/noise", Integer.toString(i));
                }
                proxy.heal();
                long noiseDone = last;
                await().atMost(WAIT).until(() -> service.current().revision() >= noiseDone);

                List<String> lines = out.lines();
                assertEquals(2, lines.size(), lines.toString());
                assertEquals("loaded /cut/config at revision " + loaded + ": {db=primary, pool=10}", lines.get(0));
                assertTrue(lines.get(1).matches("reloaded at revision \\d+ after a rebuild: \\{db=replica} \\(changed db, removed pool\\)"),
                        lines.get(1));
                assertEquals(new TreeMap<>(Map.of("db", "replica")), service.current().values());
            } finally {
                service.close();
            }
        }
    }
}

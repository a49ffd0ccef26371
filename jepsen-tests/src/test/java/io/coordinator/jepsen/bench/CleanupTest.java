package io.coordinator.jepsen.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CleanupTest {
    @Test
    void stepsAreUndoneInReverseOrderOnceAndAnythingAddedAfterwardsAtOnce() throws Exception {
        List<String> undone = new ArrayList<>();
        Path dir = Files.createTempDirectory("cleanup-test");
        Files.writeString(dir.resolve("data"), "x");
        Cleanup cleanup = new Cleanup();
        cleanup.deleteLater(dir);
        cleanup.add(() -> undone.add("cluster"));
        cleanup.add(() -> undone.add("client"));

        cleanup.close();
        cleanup.close();

        assertEquals(List.of("client", "cluster"), undone);
        assertFalse(Files.exists(dir));
        assertThrows(IllegalStateException.class, () -> cleanup.add(() -> undone.add("late")));
        assertEquals(List.of("client", "cluster", "late"), undone);
    }
}

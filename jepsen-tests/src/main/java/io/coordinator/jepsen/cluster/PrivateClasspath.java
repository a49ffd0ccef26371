package io.coordinator.jepsen.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A classpath for child JVMs (members, baselines) that a concurrent build cannot pull from under
 * them: the entries a build rewrites in place (SNAPSHOT jars in the local repository,
 * target/classes directories) are copied into a directory of the run; released jars are immutable
 * and used where they are. A JVM loads classes lazily, and one that finds a jar replaced under it
 * fails in odd ways (seen: Jackson failing to read a record's components).
 */
public final class PrivateClasspath {
    private PrivateClasspath() {
    }

    /** This JVM's classpath with its mutable entries copied into {@code dir}. */
    public static String of(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        int copies = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path source = Path.of(entry);
            boolean mutable = Files.isDirectory(source)
                    || (Files.isRegularFile(source) && source.getFileName().toString().contains("-SNAPSHOT"));
            if (!mutable) {
                entries.add(entry);
                continue;
            }
            Path copy = dir.resolve(copies++ + "-" + source.getFileName());
            copyTree(source, copy);
            entries.add(copy.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}

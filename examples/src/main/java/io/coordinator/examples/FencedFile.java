package io.coordinator.examples;

import io.coordinator.client.recipes.FencingException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A resource outside Coordinator that fences its writers, as a real store would: a text file whose
 * lines are {@code token<TAB>text}. An append with a token lower than the highest in the file is
 * refused ({@link FencingException}, nothing written); equal tokens are accepted, so one holder
 * appends many lines. The check and the write happen under one lock: {@link FileChannel#lock()}
 * against other processes and a monitor against other threads of this one (a JVM holds file locks
 * per process, so they do not exclude its own threads). Without that, two writers could both pass
 * the check and then interleave.
 */
final class FencedFile {
    /** One accepted line. */
    record Line(long token, String text) {
    }

    private static final Object THIS_PROCESS = new Object();

    private final Path path;

    FencedFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** Appends {@code text} if {@code token} is at least the highest token in the file. */
    void append(long token, String text) throws IOException {
        if (text.contains("\n")) {
            throw new IllegalArgumentException("one line at a time: " + text);
        }
        synchronized (THIS_PROCESS) {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                channel.lock();  // held until the channel closes, at the end of this block
                long highest = highest(read(channel));
                if (token < highest) {
                    throw new FencingException(path.toString(), token, highest);
                }
                channel.position(channel.size());
                channel.write(ByteBuffer.wrap((token + "\t" + text + "\n").getBytes(StandardCharsets.UTF_8)));
                channel.force(false);
            }
        }
    }

    /** Every accepted line, in the order accepted; empty when the file does not exist yet. */
    List<Line> lines() throws IOException {
        if (!Files.exists(path)) {
            return List.of();
        }
        synchronized (THIS_PROCESS) {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                channel.lock();
                return read(channel);
            }
        }
    }

    private static List<Line> read(FileChannel channel) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(channel.size()));
        while (bytes.hasRemaining()) {
            if (channel.read(bytes, bytes.position()) < 0) {
                break;
            }
        }
        List<Line> lines = new ArrayList<>();
        for (String line : new String(bytes.array(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                int tab = line.indexOf('\t');
                lines.add(new Line(Long.parseLong(line.substring(0, tab)), line.substring(tab + 1)));
            }
        }
        return lines;
    }

    private static long highest(List<Line> lines) {
        return lines.stream().mapToLong(Line::token).max().orElse(0);
    }
}

package io.coordinator.server.consensus.atomix;

import io.coordinator.server.consensus.LogStateMachine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A test state machine: an append-only list of every applied entry with its index and log time.
 * {@code apply} answers the entry's index; {@code query} answers the number of entries for an empty
 * query, else 1 if an entry with exactly these bytes was applied and 0 if not.
 */
final class RecordingStateMachine implements LogStateMachine {

    record Entry(long index, long logTimeMillis, byte[] command) {
        String text() {
            return new String(command, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private int snapshotsRestored;

    @Override
    public synchronized byte[] apply(long index, long logTimeMillis, byte[] command) {
        if (!entries.isEmpty()) {
            Entry last = entries.get(entries.size() - 1);
            if (index <= last.index() || logTimeMillis < last.logTimeMillis()) {
                violations.add("entry " + index + " at " + logTimeMillis + " after " + last.index() + " at "
                        + last.logTimeMillis());
            }
        }
        entries.add(new Entry(index, logTimeMillis, command.clone()));
        return ByteBuffer.allocate(Long.BYTES).putLong(index).array();
    }

    @Override
    public synchronized byte[] query(byte[] query) {
        long answer;
        if (query.length == 0) {
            answer = entries.size();
        } else {
            answer = entries.stream().anyMatch(e -> Arrays.equals(e.command(), query)) ? 1 : 0;
        }
        return ByteBuffer.allocate(Long.BYTES).putLong(answer).array();
    }

    @Override
    public synchronized void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(entries.size());
        for (Entry entry : entries) {
            data.writeLong(entry.index());
            data.writeLong(entry.logTimeMillis());
            data.writeInt(entry.command().length);
            data.write(entry.command());
        }
        data.flush();
    }

    @Override
    public synchronized void readSnapshot(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int count = data.readInt();
        List<Entry> restored = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long index = data.readLong();
            long logTime = data.readLong();
            byte[] command = new byte[data.readInt()];
            data.readFully(command);
            restored.add(new Entry(index, logTime, command));
        }
        entries.clear();
        entries.addAll(restored);
        snapshotsRestored++;
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized List<String> texts() {
        return entries.stream().map(Entry::text).toList();
    }

    /** Entries whose index or log time went backwards: must stay empty. */
    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    synchronized int snapshotsRestored() {
        return snapshotsRestored;
    }

    static long decode(byte[] answer) {
        return ByteBuffer.wrap(answer).getLong();
    }
}

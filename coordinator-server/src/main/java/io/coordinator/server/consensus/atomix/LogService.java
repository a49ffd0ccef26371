package io.coordinator.server.consensus.atomix;

import io.atomix.primitive.PrimitiveType;
import io.atomix.primitive.operation.OperationId;
import io.atomix.primitive.operation.OperationType;
import io.atomix.primitive.service.BackupInput;
import io.atomix.primitive.service.BackupOutput;
import io.atomix.primitive.service.Commit;
import io.atomix.primitive.service.PrimitiveService;
import io.atomix.primitive.service.ServiceContext;
import io.atomix.primitive.session.Session;
import io.atomix.primitive.session.SessionId;
import io.atomix.protocols.raft.RaftException;
import io.atomix.utils.serializer.Serializer;
import io.atomix.utils.time.WallClockTimestamp;
import io.coordinator.server.consensus.LogStateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.BooleanSupplier;

/**
 * The Atomix service that is our log: commands go to {@link LogStateMachine#apply}, queries to
 * {@link LogStateMachine#query}, backup/restore to the snapshot methods. Atomix calls it on the
 * member's single state thread.
 *
 * <p>Log time is the service context's wall clock: the timestamp the leader stamped on the entry,
 * raised to the largest seen so far (Atomix keeps it monotonic and carries it in snapshots), so it
 * is the same on every member and never goes back across leader changes.
 *
 * <p>Exactly once: Atomix labels a snapshot with its last-applied index, which it updates on
 * another thread after an apply completes, so a snapshot can contain one entry more than its label
 * says and that entry would be applied again after a restore. The service therefore records the
 * index of the last command it applied in its own snapshot and skips commands at or below it.
 */
@SuppressWarnings("rawtypes")
final class LogService implements PrimitiveService {
    static final OperationId APPLY = OperationId.command("apply");
    static final OperationId QUERY = OperationId.query("query");

    private static final Logger log = LoggerFactory.getLogger(LogService.class);
    private static final byte[] EMPTY = new byte[0];
    private static final int SNAPSHOT_FORMAT = 1;
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final int END_OF_SNAPSHOT = 0;
    private static final int FAILED_SNAPSHOT = -1;

    private final Serializer serializer;
    private final LogStateMachine stateMachine;
    private final BooleanSupplier readyForLinearizableReads;
    private final Runnable onBackupFailed;
    private ServiceContext context;
    private long lastCommandIndex;

    LogService(PrimitiveType type, LogStateMachine stateMachine, BooleanSupplier readyForLinearizableReads,
               Runnable onBackupFailed) {
        this.serializer = Serializer.using(type.namespace());
        this.stateMachine = stateMachine;
        this.readyForLinearizableReads = readyForLinearizableReads;
        this.onBackupFailed = onBackupFailed;
    }

    @Override
    public void init(ServiceContext context) {
        this.context = context;
    }

    @Override
    public void tick(WallClockTimestamp timestamp) {
    }

    @Override
    public Serializer serializer() {
        return serializer;
    }

    @Override
    public byte[] apply(Commit<byte[]> commit) {
        OperationId operation = commit.operation();
        if (operation.type() == OperationType.COMMAND && APPLY.id().equals(operation.id())) {
            return applyCommand(commit.index(), commit.value());
        }
        if (operation.type() == OperationType.QUERY && QUERY.id().equals(operation.id())) {
            if (!readyForLinearizableReads.getAsBoolean()) {
                // Completes the query with QUERY_FAILURE; the reader retries shortly.
                throw new RaftException.QueryFailure("leader has not yet applied the entries of earlier terms");
            }
            return stateMachine.query(commit.value() == null ? EMPTY : commit.value());
        }
        throw new IllegalArgumentException("unknown operation " + operation);
    }

    private byte[] applyCommand(long index, byte[] command) {
        if (index <= lastCommandIndex) {
            log.debug("skipping entry {} already contained in the restored snapshot (last {})", index, lastCommandIndex);
            return EMPTY;
        }
        lastCommandIndex = index;
        long logTimeMillis = context.wallClock().getTime().unixTimestamp();
        try {
            byte[] result = stateMachine.apply(index, logTimeMillis, command == null ? EMPTY : command);
            return result == null ? EMPTY : result;
        } catch (RuntimeException e) {
            log.error("state machine failed to apply entry {}: its state may now differ from other members'", index, e);
            throw e;
        }
    }

    @Override
    public void backup(BackupOutput output) {
        output.writeInt(SNAPSHOT_FORMAT).writeLong(lastCommandIndex);
        ChunkedOutput chunks = new ChunkedOutput(output);
        try {
            stateMachine.writeSnapshot(chunks);
            chunks.finish();
        } catch (IOException | RuntimeException e) {
            // Atomix logs this and keeps the snapshot (our Compactor does not); the marker makes
            // restoring it fail loudly rather than restore a partial state.
            chunks.fail();
            onBackupFailed.run();
            log.error("state machine failed to write a snapshot at entry {}", lastCommandIndex, e);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    @Override
    public void restore(BackupInput input) {
        int format = input.readInt();
        if (format != SNAPSHOT_FORMAT) {
            throw new IllegalStateException("unknown snapshot format " + format);
        }
        long index = input.readLong();
        if (index == lastCommandIndex && index > 0) {
            // Atomix re-installs each snapshot it has just taken on the member that took it. Our
            // state at this index is exactly what the snapshot holds (the machine is deterministic
            // and nothing was applied since), and re-installing it would cost a full decode and
            // restart the member's watch history, turning watches from the recent past into COMPACTED.
            log.debug("snapshot at entry {} is this member's current state; not re-installing it", index);
            return;
        }
        try {
            stateMachine.readSnapshot(new ChunkedInput(input));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore snapshot at entry " + index, e);
        }
        lastCommandIndex = index;
        log.info("restored state machine from snapshot at entry {}", index);
    }

    @Override
    public void register(Session session) {
    }

    @Override
    public void expire(SessionId sessionId) {
    }

    @Override
    public void close(SessionId sessionId) {
    }

    /** Streams the snapshot into length-prefixed chunks, ended by a 0 (or -1 if writing failed). */
    private static final class ChunkedOutput extends OutputStream {
        private final BackupOutput output;
        private final byte[] buffer = new byte[CHUNK_BYTES];
        private int length;

        ChunkedOutput(BackupOutput output) {
            this.output = output;
        }

        @Override
        public void write(int b) {
            if (length == buffer.length) {
                flushChunk();
            }
            buffer[length++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int count) {
            while (count > 0) {
                if (length == buffer.length) {
                    flushChunk();
                }
                int n = Math.min(count, buffer.length - length);
                System.arraycopy(bytes, offset, buffer, length, n);
                length += n;
                offset += n;
                count -= n;
            }
        }

        void finish() {
            flushChunk();
            output.writeInt(END_OF_SNAPSHOT);
        }

        void fail() {
            output.writeInt(FAILED_SNAPSHOT);
        }

        private void flushChunk() {
            if (length > 0) {
                output.writeInt(length).write(buffer, 0, length);
                length = 0;
            }
        }
    }

    /** Reads what {@link ChunkedOutput} wrote; end of stream at the terminating 0. */
    private static final class ChunkedInput extends InputStream {
        private final BackupInput input;
        private int remaining;
        private boolean ended;

        ChunkedInput(BackupInput input) {
            this.input = input;
        }

        @Override
        public int read() throws IOException {
            if (!nextChunk()) {
                return -1;
            }
            remaining--;
            return input.readByte() & 0xFF;
        }

        @Override
        public int read(byte[] bytes, int offset, int count) throws IOException {
            if (count == 0) {
                return 0;
            }
            if (!nextChunk()) {
                return -1;
            }
            int n = Math.min(count, remaining);
            input.read(bytes, offset, n);
            remaining -= n;
            return n;
        }

        private boolean nextChunk() throws IOException {
            while (remaining == 0 && !ended) {
                int length = input.readInt();
                if (length == END_OF_SNAPSHOT) {
                    ended = true;
                } else if (length < 0) {
                    throw new IOException("the snapshot was cut short: writing it failed");
                } else {
                    remaining = length;
                }
            }
            return remaining > 0;
        }
    }
}

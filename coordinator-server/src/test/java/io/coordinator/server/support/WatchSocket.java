package io.coordinator.server.support;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Request;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.protocol.wire.Frame;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One blocking connection that keeps every frame it reads, in arrival order, so a test can check
 * what came before what: watch events against answers. Reads are bounded by the socket timeout of
 * {@link RawConnection}.
 */
public final class WatchSocket implements AutoCloseable {
    private final RawConnection raw;
    private final Codec codec = Codec.smile();
    private final List<Frame> frames = new ArrayList<>();
    private long nextId = 1_000;

    public WatchSocket(InetSocketAddress address) throws IOException {
        this.raw = new RawConnection(address);
    }

    /** Sends a Watch and returns its id (the request id); the answer is in {@link #answer}. */
    public long watch(String path, WatchKind kind, long fromRevision) throws IOException {
        long id = nextId++;
        raw.sendFrame(Frame.Kind.REQUEST, id, codec.encode(new ClientMessage.Watch(path, kind, fromRevision)));
        readUntilAnswer(id);
        return id;
    }

    public ServerMessage unwatch(long watchId) throws IOException {
        long id = nextId++;
        raw.sendFrame(Frame.Kind.REQUEST, id, codec.encode(new ClientMessage.Unwatch(watchId)));
        return readUntilAnswer(id);
    }

    public ServerMessage.Reply call(Command.ClientCommand command, Consistency consistency, long minRevision) throws IOException {
        long id = nextId++;
        raw.sendFrame(Frame.Kind.REQUEST, id, codec.encode(new ClientMessage.Call(Request.of(command), consistency, minRevision)));
        return (ServerMessage.Reply) readUntilAnswer(id);
    }

    public ServerMessage.Reply call(Command.ClientCommand command) throws IOException {
        return call(command, Consistency.LINEARIZABLE, 0);
    }

    /** Sends every command before reading any answer; returns the answers in command order. */
    public List<ServerMessage.Reply> pipelined(List<? extends Command.ClientCommand> commands) throws IOException {
        List<Long> ids = new ArrayList<>();
        for (Command.ClientCommand command : commands) {
            long id = nextId++;
            ids.add(id);
            raw.sendFrame(Frame.Kind.REQUEST, id, codec.encode(new ClientMessage.Call(Request.of(command),
                    Consistency.LINEARIZABLE, 0)));
        }
        List<ServerMessage.Reply> replies = new ArrayList<>();
        for (long id : ids) {
            replies.add((ServerMessage.Reply) readUntilAnswer(id));
        }
        return replies;
    }

    /** The answer to request {@code id}, reading frames until it is there. */
    public ServerMessage readUntilAnswer(long id) throws IOException {
        while (true) {
            ServerMessage answer = answer(id);
            if (answer != null) {
                return answer;
            }
            read();
        }
    }

    /** Reads frames until the notifications of {@code watchId} satisfy {@code done}. */
    public List<ServerMessage.WatchNotification> readUntil(long watchId,
                                                           Predicate<List<ServerMessage.WatchNotification>> done)
            throws IOException {
        while (!done.test(notifications(watchId))) {
            read();
        }
        return notifications(watchId);
    }

    public ServerMessage answer(long id) {
        for (Frame frame : frames) {
            if (frame.kind() == Frame.Kind.RESPONSE && frame.requestId() == id) {
                return codec.decodeServer(frame.payload());
            }
        }
        return null;
    }

    /** Notifications of one watch, in arrival order. */
    public List<ServerMessage.WatchNotification> notifications(long watchId) {
        List<ServerMessage.WatchNotification> out = new ArrayList<>();
        for (ServerMessage message : pushed(watchId)) {
            if (message instanceof ServerMessage.WatchNotification n) {
                out.add(n);
            }
        }
        return out;
    }

    /** Everything pushed for one watch (notifications and its end), in arrival order. */
    public List<ServerMessage> pushed(long watchId) {
        List<ServerMessage> out = new ArrayList<>();
        for (Frame frame : frames) {
            if (frame.kind() == Frame.Kind.EVENT && frame.requestId() == watchId) {
                out.add(codec.decodeServer(frame.payload()));
            }
        }
        return out;
    }

    /** Every frame read so far, in order. */
    public List<Frame> frames() {
        return List.copyOf(frames);
    }

    private void read() throws IOException {
        frames.add(raw.readFrame());
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}

package io.coordinator.server.support;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A deliberately plain blocking socket speaking the frame format, so tests can also send bytes a real client never would. */
public final class RawConnection implements AutoCloseable {
    private final Socket socket = new Socket();
    private final DataOutputStream out;
    private final DataInputStream in;
    private final Codec codec = Codec.smile();
    private long nextId = 1;

    public RawConnection(InetSocketAddress address) throws IOException {
        socket.connect(address, 5_000);
        socket.setSoTimeout(15_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    public ServerMessage call(Command.ClientCommand command) throws IOException {
        return call(Request.of(command));
    }

    public ServerMessage call(Request request) throws IOException {
        return send(new ClientMessage.Call(request, Consistency.LINEARIZABLE, 0));
    }

    public ServerMessage.Reply execute(Op op) throws IOException {
        return (ServerMessage.Reply) call(new Command.Execute(op));
    }

    public ServerMessage send(ClientMessage message) throws IOException {
        long id = nextId++;
        sendFrame(Frame.Kind.REQUEST, id, codec.encode(message));
        Frame frame = readFrame();
        if (frame.requestId() != id) {
            throw new IOException("expected a response to " + id + ", got " + frame.requestId());
        }
        return codec.decodeServer(frame.payload());
    }

    public void sendFrame(Frame.Kind kind, long id, byte[] payload) throws IOException {
        out.writeInt(Frame.HEADER_BYTES + payload.length);
        out.writeByte(Frame.VERSION);
        out.writeByte(kind.code());
        out.writeLong(id);
        out.write(payload);
        out.flush();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public Frame readFrame() throws IOException {
        int length = in.readInt();
        byte version = in.readByte();
        Frame.Kind kind = Frame.Kind.of(in.readByte());
        long id = in.readLong();
        byte[] payload = new byte[length - Frame.HEADER_BYTES];
        in.readFully(payload);
        if (version != Frame.VERSION || kind == null) {
            throw new IOException("bad frame from server");
        }
        return new Frame(kind, id, payload);
    }

    /** Half-closes: the member sees the end of the request stream, and may still answer on the other half. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** True once the server has closed its end (reads hit end of stream). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException e) {
            return true;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

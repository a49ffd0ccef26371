package io.coordinator.core.snapshot;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Responses remembered for de-duplication, as they go into a snapshot. Tags are part of the format. */
final class ResponseCodec {

    private static final int CREATED = 1;
    private static final int DATA = 2;
    private static final int UPDATED = 3;
    private static final int DELETED = 4;
    private static final int EXISTS = 5;
    private static final int CHILDREN = 6;
    private static final int TXN = 7;
    private static final int SESSION_OPENED = 8;
    private static final int SESSION_CLOSED = 9;
    private static final int KEPT_ALIVE = 10;
    private static final int DONE = 11;
    private static final int FAILURE = 12;

    private ResponseCodec() {
    }

    static void write(DataOutput out, Response response) throws IOException {
        if (response instanceof Response.Created r) {
            out.writeByte(CREATED);
            Codec.writeString(out, r.path());
            Codec.writeStat(out, r.stat());
        } else if (response instanceof Response.Data r) {
            out.writeByte(DATA);
            Codec.writeBytes(out, r.data());
            Codec.writeStat(out, r.stat());
        } else if (response instanceof Response.Updated r) {
            out.writeByte(UPDATED);
            Codec.writeStat(out, r.stat());
        } else if (response instanceof Response.Deleted r) {
            out.writeByte(DELETED);
            Codec.writeString(out, r.path());
            out.writeInt(r.count());
        } else if (response instanceof Response.ExistsResult r) {
            out.writeByte(EXISTS);
            Codec.writeNullableStat(out, r.stat());
        } else if (response instanceof Response.ChildrenResult r) {
            out.writeByte(CHILDREN);
            out.writeInt(r.names().size());
            for (String name : r.names()) {
                Codec.writeString(out, name);
            }
            out.writeInt(r.stats().size());
            for (Stat stat : r.stats()) {
                Codec.writeStat(out, stat);
            }
            Codec.writeNullableStat(out, r.parentStat());
        } else if (response instanceof Response.TxnResult r) {
            out.writeByte(TXN);
            out.writeBoolean(r.succeeded());
            out.writeInt(r.results().size());
            for (Response each : r.results()) {
                write(out, each);
            }
        } else if (response instanceof Response.SessionOpened r) {
            out.writeByte(SESSION_OPENED);
            out.writeLong(r.sessionId());
            out.writeLong(r.secret());
            out.writeLong(r.ttlMillis());
        } else if (response instanceof Response.SessionClosed r) {
            out.writeByte(SESSION_CLOSED);
            out.writeLong(r.sessionId());
        } else if (response instanceof Response.KeptAlive r) {
            out.writeByte(KEPT_ALIVE);
            out.writeInt(r.renewed());
        } else if (response instanceof Response.Done) {
            out.writeByte(DONE);
        } else if (response instanceof Response.Failure r) {
            out.writeByte(FAILURE);
            Codec.writeString(out, r.code().name());
            Codec.writeString(out, r.message());
        } else {
            throw new IllegalArgumentException("unknown response " + response);
        }
    }

    static Response read(DataInput in) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case CREATED:
                return new Response.Created(Codec.readString(in), Codec.readStat(in));
            case DATA:
                return new Response.Data(Codec.readBytes(in), Codec.readStat(in));
            case UPDATED:
                return new Response.Updated(Codec.readStat(in));
            case DELETED:
                return new Response.Deleted(Codec.readString(in), in.readInt());
            case EXISTS:
                return new Response.ExistsResult(Codec.readNullableStat(in));
            case CHILDREN: {
                int names = Codec.readCount(in, "name count");
                List<String> nameList = new ArrayList<>();
                for (int i = 0; i < names; i++) {
                    nameList.add(Codec.readString(in));
                }
                int stats = Codec.readCount(in, "stat count");
                List<Stat> statList = new ArrayList<>();
                for (int i = 0; i < stats; i++) {
                    statList.add(Codec.readStat(in));
                }
                return new Response.ChildrenResult(nameList, statList, Codec.readNullableStat(in));
            }
            case TXN: {
                boolean succeeded = in.readBoolean();
                int count = Codec.readCount(in, "txn result count");
                List<Response> results = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    results.add(read(in));
                }
                return new Response.TxnResult(succeeded, results);
            }
            case SESSION_OPENED:
                return new Response.SessionOpened(in.readLong(), in.readLong(), in.readLong());
            case SESSION_CLOSED:
                return new Response.SessionClosed(in.readLong());
            case KEPT_ALIVE:
                return new Response.KeptAlive(in.readInt());
            case DONE:
                return new Response.Done();
            case FAILURE: {
                String code = Codec.readString(in);
                try {
                    return new Response.Failure(ErrorCode.valueOf(code), Codec.readString(in));
                } catch (IllegalArgumentException e) {
                    throw new IOException("corrupt snapshot: unknown error code " + code, e);
                }
            }
            default:
                throw new IOException("corrupt snapshot: unknown response tag " + tag);
        }
    }
}

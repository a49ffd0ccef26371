package io.coordinator.protocol.message;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Encodes protocol messages: Smile on the binary port and in log entries, JSON on the HTTP
 * gateway and in {@code ctl --json}. The core's types carry no Jackson annotations (the core is
 * JDK only), so their type names are attached here, by mix-ins; the names are wire format.
 *
 * <p>Only client commands ({@link Command.ClientCommand}) have names here: a message cannot carry
 * a member-internal command (LeaderChanged, Tick), and decoding one fails as MALFORMED.
 */
public final class Codec {

    /**
     * The names LeaderChanged and Tick had when they were client-encodable. They are no type of this
     * codec any more (a member writes its internal commands into the log in a framing of its own);
     * a message that names one is told why it is refused.
     */
    private static final Set<String> MEMBER_INTERNAL_NAMES = Set.of("leaderChanged", "tick");

    private static final Codec SMILE = new Codec(new ObjectMapper(new SmileFactory()), StrictText::checkSmile);
    private static final Codec JSON = new Codec(new ObjectMapper(), StrictText::checkJson);

    private final ObjectMapper mapper;
    /** Throws when a string in the encoded bytes is not well-formed UTF-8 (see {@link StrictText}). */
    private final Consumer<byte[]> textCheck;
    private final ObjectReader clientReader;
    private final ObjectReader serverReader;
    private final ObjectWriter writer;

    private Codec(ObjectMapper mapper, Consumer<byte[]> textCheck) {
        this.mapper = configure(mapper);
        this.textCheck = textCheck;
        this.clientReader = mapper.readerFor(ClientMessage.class);
        this.serverReader = mapper.readerFor(ServerMessage.class);
        this.writer = mapper.writer();
    }

    /** Binary encoding: frames and log entries. */
    public static Codec smile() {
        return SMILE;
    }

    /** Text encoding: the HTTP gateway and scripts. */
    public static Codec json() {
        return JSON;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public byte[] encode(Object message) {
        try {
            return writer.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A client's message. A string in it that is not well-formed UTF-8 fails it (INVALID_PATH for a
     * path, MALFORMED otherwise) before Jackson, which would decode it leniently, reads it.
     */
    public ClientMessage decodeClient(byte[] bytes) {
        checkText(bytes);
        return decode(clientReader, bytes);
    }

    /** @throws MalformedMessageException when a string in {@code bytes} is not well-formed UTF-8 */
    public void checkText(byte[] bytes) {
        textCheck.accept(bytes);
    }

    public ServerMessage decodeServer(byte[] bytes) {
        return decode(serverReader, bytes);
    }

    public <T> T decode(byte[] bytes, Class<T> type) {
        checkText(bytes);
        return decode(mapper.readerFor(type), bytes);
    }

    private static <T> T decode(ObjectReader reader, byte[] bytes) {
        try {
            T value = reader.readValue(bytes);
            if (value == null) {
                throw new MalformedMessageException("empty message");
            }
            return value;
        } catch (MalformedMessageException e) {
            throw e;
        } catch (InvalidTypeIdException e) {
            if (MEMBER_INTERNAL_NAMES.contains(e.getTypeId())) {
                throw new MalformedMessageException("'" + e.getTypeId() + "' is a member-internal command: only a"
                        + " member's leader duties propose it, and no client message can carry it");
            }
            throw new MalformedMessageException(rootMessage(e));
        } catch (IOException | RuntimeException e) {
            // Jackson reports bad input with many exception types (parse errors, unknown type ids,
            // null checks in record constructors); to a caller they are all one thing: MALFORMED.
            throw new MalformedMessageException(rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        // Records only: serialize their components, never derived accessors such as isWrite().
        mapper.setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE);
        mapper.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
        mapper.setVisibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY);
        mapper.setSerializationInclusion(JsonInclude.Include.ALWAYS);
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        mapper.configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
        mapper.configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
        mapper.addMixIn(Op.class, TypedMixin.class);
        mapper.addMixIn(Command.class, TypedMixin.class);
        mapper.addMixIn(Response.class, TypedMixin.class);
        mapper.registerSubtypes(
                new NamedType(Op.Create.class, "create"),
                new NamedType(Op.SetData.class, "set"),
                new NamedType(Op.Delete.class, "delete"),
                new NamedType(Op.Get.class, "get"),
                new NamedType(Op.Exists.class, "exists"),
                new NamedType(Op.Children.class, "children"),
                new NamedType(Command.Execute.class, "execute"),
                new NamedType(Command.Txn.class, "txn"),
                new NamedType(Command.OpenSession.class, "openSession"),
                new NamedType(Command.KeepAlive.class, "keepAlive"),
                new NamedType(Command.CloseSession.class, "closeSession"),
                new NamedType(Command.CheckSession.class, "checkSession"),
                new NamedType(Response.Created.class, "created"),
                new NamedType(Response.Data.class, "data"),
                new NamedType(Response.Updated.class, "updated"),
                new NamedType(Response.Deleted.class, "deleted"),
                new NamedType(Response.ExistsResult.class, "exists"),
                new NamedType(Response.ChildrenResult.class, "children"),
                new NamedType(Response.TxnResult.class, "txn"),
                new NamedType(Response.SessionOpened.class, "sessionOpened"),
                new NamedType(Response.SessionClosed.class, "sessionClosed"),
                new NamedType(Response.SessionChecked.class, "sessionChecked"),
                new NamedType(Response.KeptAlive.class, "keptAlive"),
                new NamedType(Response.Done.class, "done"),
                new NamedType(Response.Failure.class, "failure"));
        return mapper;
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
    private interface TypedMixin {
    }

    /**
     * A payload that does not decode to a known message: MALFORMED, or INVALID_PATH when what is
     * wrong is the encoding of a path.
     */
    public static final class MalformedMessageException extends RuntimeException {
        private final ErrorCode code;

        public MalformedMessageException(String message) {
            this(ErrorCode.MALFORMED, message);
        }

        public MalformedMessageException(ErrorCode code, String message) {
            super(message);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }
}

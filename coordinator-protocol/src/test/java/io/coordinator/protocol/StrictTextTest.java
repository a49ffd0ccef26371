package io.coordinator.protocol;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.WatchKind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * "A client's string is well-formed UTF-8 or the message is refused", in both encodings: Jackson
 * alone decodes an overlong '/' (C0 AF) as '/', and other bad bytes as other characters.
 */
class StrictTextTest {

    private static byte[] create(Codec codec, String path) {
        return codec.encode(new ClientMessage.Call(Request.of(new Command.Execute(
                new Op.Create(path, new byte[0], CreateMode.PERSISTENT, 0))), Consistency.LINEARIZABLE, 0));
    }

    private static byte[] replace(byte[] payload, String from, String toHex) {
        byte[] what = from.getBytes(StandardCharsets.UTF_8);
        byte[] with = HexFormat.of().parseHex(toHex);
        outer:
        for (int i = 0; i + what.length <= payload.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (payload[i + j] != what[j]) {
                    continue outer;
                }
            }
            byte[] changed = payload.clone();
            System.arraycopy(with, 0, changed, i, with.length);
            return changed;
        }
        throw new AssertionError("marker not found");
    }

    private static ErrorCode refusal(Codec codec, byte[] payload) {
        return assertThrows(Codec.MalformedMessageException.class, () -> codec.decodeClient(payload)).code();
    }

    private static String pathOf(Codec codec, byte[] payload) {
        ClientMessage.Call call = (ClientMessage.Call) codec.decodeClient(payload);
        return ((Op.Create) ((Command.Execute) call.request().command()).op()).path();
    }

    @Test
    void aPathThatIsNotUtf8IsInvalidPathInEveryKindOfSmileStringToken() {
        String tail = "t".repeat(70);
        Codec smile = Codec.smile();
        for (byte[] payload : List.of(
                replace(create(smile, "/ascii-ZZ"), "ZZ", "c0af"),
                replace(create(smile, "/a\u00e9"), "\u00e9", "c0af"),
                replace(create(smile, "/a\u00e9"), "\u00e9", "c341"),
                replace(create(smile, "/a\u00e9\u00e9"), "\u00e9\u00e9", "eda080c3"),
                replace(create(smile, "/long-ZZ" + tail), "ZZ", "c0af"),
                replace(create(smile, "/long\u00e9" + tail), "\u00e9", "c0af"),
                replace(create(smile, "/long\u00e9t" + tail), "\u00e9t", "f49080"))) {
            assertEquals(ErrorCode.INVALID_PATH, refusal(smile, payload), HexFormat.of().formatHex(payload));
        }
        byte[] watch = replace(smile.encode(new ClientMessage.Watch("/w\u00e9", WatchKind.DATA, 0)), "\u00e9", "ff41");
        assertEquals(ErrorCode.INVALID_PATH, refusal(smile, watch));
    }

    @Test
    void aBadStringThatIsNoPathIsMalformed() {
        Codec smile = Codec.smile();
        byte[] badEnum = replace(smile.encode(new ClientMessage.Call(Request.of(new Command.Execute(new Op.Get("/a"))),
                Consistency.LINEARIZABLE, 0)), "LINEARIZABLE",
                "c0af" + HexFormat.of().formatHex("NEARIZABLE".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(ErrorCode.MALFORMED, refusal(smile, badEnum));
    }

    @Test
    void validTextDecodesAsItWasSentIncludingAReplacementCharacterThatWasMeant() {
        for (Codec codec : List.of(Codec.smile(), Codec.json())) {
            for (String path : List.of("/caf\u00e9", "/\ud83d\ude00", "/meant\ufffd", "/\u65e5\u672c" + "x".repeat(80))) {
                assertEquals(path, pathOf(codec, create(codec, path)));
            }
        }
    }

    @Test
    void jsonIsCheckedTheSameWay() {
        Codec json = Codec.json();
        assertEquals(ErrorCode.INVALID_PATH, refusal(json, replace(create(json, "/a\u00e9"), "\u00e9", "c0af")));
        assertEquals(ErrorCode.INVALID_PATH, refusal(json, replace(create(json, "/a\u00e9"), "\u00e9", "eda0")));
        byte[] badMode = replace(create(json, "/a"), "PERSISTENT", "c0af5253495354454e54");
        assertEquals(ErrorCode.MALFORMED, refusal(json, badMode));
    }
}

package io.coordinator.client.cli;

import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Op;
import io.coordinator.protocol.message.Codec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TxnSyntaxTest {

    /** Records with byte[] components compare arrays by identity; compare their encodings instead. */
    private static void assertSameEncoding(Object expected, Object actual) {
        assertEquals(new String(Codec.json().encode(expected), StandardCharsets.UTF_8),
                new String(Codec.json().encode(actual), StandardCharsets.UTF_8));
    }

    @Test
    void comparesReadAsTargetPathOperatorOperand() {
        assertSameEncoding(Compare.version("/a", Compare.Operator.EQUAL, 1), TxnSyntax.parseCompare("version /a = 1"));
        assertSameEncoding(Compare.modRevision("/a", Compare.Operator.LESS, 9), TxnSyntax.parseCompare("mod /a < 9"));
        assertSameEncoding(Compare.createRevision("/a", Compare.Operator.GREATER, 2), TxnSyntax.parseCompare("create /a > 2"));
        assertSameEncoding(Compare.exists("/a", true), TxnSyntax.parseCompare("exists /a"));
        assertSameEncoding(Compare.exists("/a", false), TxnSyntax.parseCompare("missing /a"));
        assertSameEncoding(Compare.sessionAlive(0x1f), TxnSyntax.parseCompare("session 0x1f"));
        Compare value = TxnSyntax.parseCompare("value /a != 'two words'");
        assertEquals(Compare.Operator.NOT_EQUAL, value.op());
        assertArrayEquals("two words".getBytes(StandardCharsets.UTF_8), value.value());
    }

    @Test
    void opsReadAsVerbPathAndArguments() {
        Op.Create create = (Op.Create) TxnSyntax.parseOp("create /q/n- \"x y\" ephemeral-sequential");
        assertEquals("/q/n-", create.path());
        assertEquals(CreateMode.EPHEMERAL_SEQUENTIAL, create.mode());
        assertArrayEquals("x y".getBytes(StandardCharsets.UTF_8), create.data());
        assertEquals(new Op.Delete("/a", 3, true), TxnSyntax.parseOp("delete /a 3 recursive"));
        assertEquals(new Op.Delete("/a", -1, false), TxnSyntax.parseOp("delete /a"));
        assertEquals(-1, ((Op.SetData) TxnSyntax.parseOp("set /a v")).expectedVersion());
        assertEquals(new Op.Get("/a"), TxnSyntax.parseOp("get /a"));
        assertEquals(new Op.Children("/a", true), TxnSyntax.parseOp("ls /a -l"));
        assertEquals(CreateMode.PERSISTENT_WITH_TTL, ((Op.Create) TxnSyntax.parseOp("create /t '' ttl 500")).mode());
    }

    @Test
    void wordsHonourQuotesAndEscapes() {
        assertEquals(List.of("set", "/a", "it's", ""), TxnSyntax.words("set /a it\\'s ''"));
        assertThrows(IllegalArgumentException.class, () -> TxnSyntax.words("set /a 'open"));
    }

    @Test
    void mistakesAreReportedNotGuessed() {
        assertThrows(IllegalArgumentException.class, () -> TxnSyntax.parseCompare("version /a = x"));
        assertThrows(IllegalArgumentException.class, () -> TxnSyntax.parseCompare("version /a"));
        assertThrows(IllegalArgumentException.class, () -> TxnSyntax.parseCompare("size /a = 1"));
        assertThrows(IllegalArgumentException.class, () -> TxnSyntax.parseOp("set /a"));
        assertThrows(IllegalArgumentException.class, () -> TxnSyntax.parseOp("rename /a /b"));
        assertThrows(IllegalArgumentException.class, () -> TxnSyntax.parseOp("create /a x sometimes"));
    }
}

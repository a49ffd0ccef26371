package io.coordinator.jepsen.checker;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON Lines history format: what it means, and every malformed input named by file and line. */
class HistoryTest {
    private static final RegisterModel REGISTER = new RegisterModel();

    private static History read(String jsonLines) throws Exception {
        return History.read(new BufferedReader(new StringReader(jsonLines)), "h.jsonl", REGISTER);
    }

    private static String error(String jsonLines) {
        return assertThrows(HistoryFormatException.class, () -> read(jsonLines)).getMessage();
    }

    @Test
    void invocationsPairWithTheirProcesssCompletion() throws Exception {
        History history = read("""
                {"process": 3, "type": "invoke", "f": "cas", "key": "x", "value": [3, 0], "time": 12}
                {"process": 1, "type": "invoke", "f": "read", "value": null}

                {"process": 1, "type": "ok", "f": "read", "value": "abc"}
                {"process": 3, "type": "fail", "f": "cas", "key": "x", "value": [3, 0]}
                {"process": 4, "type": "invoke", "f": "write", "value": 7}
                {"process": "nemesis", "type": "info", "f": "start-partition", "value": "majority"}
                {"process": 4, "type": "info", "f": "write", "value": 7}
                {"process": 5, "type": "invoke", "f": "write", "value": 8}
                """);
        List<Operation> ops = history.operations();
        assertEquals(4, ops.size());
        Operation cas = ops.get(0);
        assertEquals("3", cas.process());
        assertEquals("x", cas.key());
        assertEquals(List.of(3L, 0L), cas.input());
        assertEquals(Outcome.FAIL, cas.outcome());
        assertEquals(1, cas.callLine());
        assertEquals(5, cas.returnLine());
        Operation read = ops.get(1);
        assertNull(read.key());
        assertEquals("abc", read.output());
        assertEquals(4, read.returnLine());
        Operation info = ops.get(2);
        assertEquals(Outcome.UNKNOWN, info.outcome());
        assertEquals(Operation.NEVER, info.returnLine());
        assertEquals(8, info.completionLine());
        Operation pending = ops.get(3);
        assertEquals(Outcome.UNKNOWN, pending.outcome());
        assertEquals(0, pending.completionLine());
        assertEquals(9, history.lines());
    }

    @Test
    void malformedEventsAreErrorsNamingFileAndLine() {
        String invoke = "{\"process\": 1, \"type\": \"invoke\", \"f\": \"write\", \"value\": 1}\n";
        assertEquals("h.jsonl:2: unknown type \"done\"; known: invoke, ok, fail, info",
                error(invoke + "{\"process\": 1, \"type\": \"done\", \"f\": \"write\", \"value\": 1}"));
        assertEquals("h.jsonl:1: unknown f \"incr\" for the register model; known: cas, read, write",
                error("{\"process\": 1, \"type\": \"invoke\", \"f\": \"incr\", \"value\": 1}"));
        assertEquals("h.jsonl:1: a completion (ok) of process 1, which has no invocation outstanding",
                error("{\"process\": 1, \"type\": \"ok\", \"f\": \"write\", \"value\": 1}"));
        assertEquals("h.jsonl:2: process 1 invokes again while its invocation on line 1 is outstanding",
                error(invoke + invoke));
        assertEquals("h.jsonl:2: completes \"read\" but process 1 invoked \"write\" on line 1",
                error(invoke + "{\"process\": 1, \"type\": \"ok\", \"f\": \"read\", \"value\": 1}"));
        assertEquals("h.jsonl:2: completes key y but process 1 invoked key null on line 1",
                error(invoke + "{\"process\": 1, \"type\": \"ok\", \"f\": \"write\", \"key\": \"y\", \"value\": 1}"));
        assertTrue(error(invoke + "{\"process\": 1,").startsWith("h.jsonl:2: not JSON: Unexpected end-of-input"));
        assertTrue(error(invoke.strip() + " {}\n").startsWith("h.jsonl:1: not JSON: Trailing token"));
        assertTrue(error("{\"process\": 1, \"process\": 2, \"type\": \"invoke\", \"f\": \"read\"}")
                .startsWith("h.jsonl:1: not JSON: Duplicate field 'process'"));
        assertEquals("h.jsonl:1: an event must be a JSON object", error("[1, 2]"));
        assertEquals("h.jsonl:1: no \"process\"", error("{\"type\": \"invoke\", \"f\": \"read\"}"));
        assertEquals("h.jsonl:1: \"process\" must be a string or an integer, not 1.5",
                error("{\"process\": 1.5, \"type\": \"invoke\", \"f\": \"read\"}"));
    }

    @Test
    void valuesMustFitTheFunction() {
        assertEquals("h.jsonl:1: a cas value must be [expected, new], two numbers or strings, not [1]",
                error("{\"process\": 1, \"type\": \"invoke\", \"f\": \"cas\", \"value\": [1]}"));
        assertEquals("h.jsonl:1: a write's value must be a number or a string, not null",
                error("{\"process\": 1, \"type\": \"invoke\", \"f\": \"write\"}"));
        assertEquals("h.jsonl:1: a read's invocation value must be null, not 4",
                error("{\"process\": 1, \"type\": \"invoke\", \"f\": \"read\", \"value\": 4}"));
        assertEquals("h.jsonl:1: a value must be a number, a string, an array or null, not boolean",
                error("{\"process\": 1, \"type\": \"invoke\", \"f\": \"write\", \"value\": true}"));
        assertEquals("h.jsonl:2: a read returns a number, a string or null, not [1, 2]",
                error("""
                        {"process": 1, "type": "invoke", "f": "read"}
                        {"process": 1, "type": "ok", "f": "read", "value": [1, 2]}
                        """));
    }

    @Test
    void aProcessMayInvokeAgainOnceItsLastOperationCompleted() throws Exception {
        History history = read("""
                {"process": 1, "type": "invoke", "f": "write", "value": 1}
                {"process": 1, "type": "info", "f": "write", "value": 1}
                {"process": 1, "type": "invoke", "f": "write", "value": 2}
                {"process": 1, "type": "ok", "f": "write", "value": 2}
                """);
        assertEquals(List.of(Outcome.UNKNOWN, Outcome.OK), history.operations().stream().map(Operation::outcome).toList());
    }
}

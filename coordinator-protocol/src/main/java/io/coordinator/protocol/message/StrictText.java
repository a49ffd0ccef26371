package io.coordinator.protocol.message;

import io.coordinator.core.api.ErrorCode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses client messages whose strings are not well-formed UTF-8, before Jackson reads them.
 * Jackson decodes leniently: its Smile parser turns an overlong {@code C0 AF} into '/', a lead byte
 * without its continuation into some other letter, high bytes in a token marked ASCII into U+FFFD
 * or sign-extended characters; its JSON parser accepts overlongs as well. A path could thus name a
 * node other than the one the bytes spell, or one made of replacement characters. So the bytes of
 * every string are checked here, strictly (no overlongs, no surrogates, nothing past U+10FFFF), and
 * a bad one is INVALID_PATH when it is the value of a {@code path} field, MALFORMED anywhere else.
 *
 * <p>Only a bad string is reported: any other defect of the structure (truncation, reserved tokens)
 * ends the scan quietly and is left to Jackson, which fails on it as MALFORMED.
 */
final class StrictText {
    private static final String PATH_FIELD = "path";
    private static final int SHARED_MAX = 1024;

    private StrictText() {
    }

    /** @throws Codec.MalformedMessageException when a string of the Smile document is not UTF-8 */
    static void checkSmile(byte[] bytes) {
        new SmileScan(bytes).run();
    }

    /** @throws Codec.MalformedMessageException when the JSON text is not UTF-8 */
    static void checkJson(byte[] bytes) {
        String lastKey = null;
        boolean afterColon = false;
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xff;
            if (b == '"') {
                int start = ++i;
                while (i < bytes.length && bytes[i] != '"') {
                    i += bytes[i] == '\\' ? 2 : 1;
                }
                int end = Math.min(i, bytes.length);
                i++;
                int next = i;
                while (next < bytes.length && isJsonSpace(bytes[next])) {
                    next++;
                }
                boolean isKey = next < bytes.length && bytes[next] == ':';
                String text = utf8(bytes, start, end);
                if (text == null) {
                    throw invalid(!isKey && afterColon && PATH_FIELD.equals(lastKey), start);
                }
                if (isKey) {
                    lastKey = text;
                }
                afterColon = false;
                continue;
            }
            if (b >= 0x80) {
                throw invalid(false, i);
            }
            if (b == ':') {
                afterColon = true;
            } else if (!isJsonSpace(bytes[i])) {
                afterColon = false;
            }
            i++;
        }
    }

    private static boolean isJsonSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /** The text of {@code bytes[start, end)}, or null when it is not well-formed UTF-8. */
    static String utf8(byte[] bytes, int start, int end) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static Codec.MalformedMessageException invalid(boolean path, int offset) {
        return path
                ? new Codec.MalformedMessageException(ErrorCode.INVALID_PATH,
                "a path is not well-formed UTF-8 (at byte " + offset + " of the message)")
                : new Codec.MalformedMessageException(ErrorCode.MALFORMED,
                "a string is not well-formed UTF-8 (at byte " + offset + " of the message)");
    }

    /** A walk over the Smile token stream (format 1.0), checking each string's bytes. */
    private static final class SmileScan {
        private final byte[] bytes;
        private final List<String> sharedNames = new ArrayList<>();
        private boolean shareNames;
        private boolean rawBinary;
        private int pos;

        SmileScan(byte[] bytes) {
            this.bytes = bytes;
        }

        void run() {
            if (bytes.length < 4 || bytes[0] != ':' || bytes[1] != ')' || bytes[2] != '\n') {
                return;
            }
            shareNames = (bytes[3] & 0x01) != 0;
            rawBinary = (bytes[3] & 0x04) != 0;
            pos = 4;
            try {
                value(null, 0);
            } catch (IndexOutOfBoundsException | StopScan e) {
                // Truncated or not Smile as this walk knows it: Jackson will say what is wrong.
            }
        }

        /** One value; {@code key} is the field it belongs to, or null in an array or at the top. */
        private void value(String key, int depth) {
            if (depth > 1_000) {
                throw new StopScan();
            }
            int b = bytes[pos++] & 0xff;
            if (b < 0x20) {
                return; // shared value reference: checked where it first appeared
            }
            if (b <= 0x23) {
                return; // "", null, false, true
            }
            if (b == 0x24 || b == 0x25) {
                vint();
            } else if (b == 0x26) {
                skip(sevenBitBytes(vint()));
            } else if (b == 0x28) {
                skip(5);
            } else if (b == 0x29) {
                skip(10);
            } else if (b == 0x2A) {
                vint();
                skip(sevenBitBytes(vint()));
            } else if (b >= 0x40 && b < 0x80) {
                text(key, (b & 0x1f) + (b < 0x60 ? 1 : 33), true);
            } else if (b >= 0x80 && b < 0xC0) {
                text(key, (b & 0x1f) + (b < 0xA0 ? 2 : 34), false);
            } else if (b >= 0xC0 && b < 0xE0) {
                return; // small int
            } else if (b == 0xE0 || b == 0xE4) {
                int start = pos;
                while (bytes[pos] != (byte) 0xFC) {
                    pos++;
                }
                check(key, start, pos, b == 0xE0);
                pos++;
            } else if (b == 0xE8) {
                skip(sevenBitBytes(vint()));
            } else if (b >= 0xEC && b <= 0xEF) {
                pos++; // long shared value reference
            } else if (b == 0xF8) {
                while ((bytes[pos] & 0xff) != 0xF9) {
                    value(null, depth + 1);
                }
                pos++;
            } else if (b == 0xFA) {
                object(depth + 1);
            } else if (b == 0xFD && rawBinary) {
                skip(vint());
            } else {
                throw new StopScan();
            }
        }

        private void object(int depth) {
            while (true) {
                int b = bytes[pos++] & 0xff;
                String key;
                if (b == 0xFB) {
                    return;
                } else if (b == 0x20) {
                    key = "";
                } else if (b >= 0x30 && b <= 0x33) {
                    key = sharedName(((b & 0x03) << 8) | (bytes[pos++] & 0xff));
                } else if (b == 0x34) {
                    int start = pos;
                    while (bytes[pos] != (byte) 0xFC) {
                        pos++;
                    }
                    key = keyText(start, pos, false);
                    pos++;
                } else if (b >= 0x40 && b < 0x80) {
                    key = sharedName(b & 0x3f);
                } else if (b >= 0x80 && b < 0xC0) {
                    key = keyText(pos, pos += (b & 0x3f) + 1, true);
                    remember(key);
                } else if (b >= 0xC0 && b < 0xF8) {
                    key = keyText(pos, pos += (b & 0x3f) + 2, false);
                    remember(key);
                } else {
                    throw new StopScan();
                }
                value(key, depth);
            }
        }

        private String keyText(int start, int end, boolean ascii) {
            String text = ascii && !isAscii(start, end) ? null : utf8(bytes, start, end);
            if (text == null) {
                throw invalid(false, start);
            }
            return text;
        }

        private void remember(String key) {
            if (!shareNames) {
                return;
            }
            if (sharedNames.size() >= SHARED_MAX) {
                sharedNames.clear();
            }
            sharedNames.add(key);
        }

        private String sharedName(int index) {
            return index < sharedNames.size() ? sharedNames.get(index) : null;
        }

        private void text(String key, int length, boolean ascii) {
            int start = pos;
            pos += length;
            if (pos > bytes.length) {
                throw new StopScan();
            }
            check(key, start, pos, ascii);
        }

        private void check(String key, int start, int end, boolean ascii) {
            if ((ascii && !isAscii(start, end)) || utf8(bytes, start, end) == null) {
                throw invalid(PATH_FIELD.equals(key), start);
            }
        }

        private boolean isAscii(int start, int end) {
            for (int i = start; i < end; i++) {
                if (bytes[i] < 0) {
                    return false;
                }
            }
            return true;
        }

        /** A Smile VInt: 7 bits per byte, the last byte (6 bits) marked by its high bit. */
        private int vint() {
            long value = 0;
            for (int i = 0; i < 10; i++) {
                int b = bytes[pos++] & 0xff;
                if ((b & 0x80) != 0) {
                    value = (value << 6) | (b & 0x3f);
                    return value > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) value;
                }
                value = (value << 7) | b;
            }
            throw new StopScan();
        }

        private static int sevenBitBytes(int rawBytes) {
            return (int) ((rawBytes * 8L + 6) / 7);
        }

        private void skip(int count) {
            if (count < 0 || count > bytes.length - pos) {
                throw new StopScan();
            }
            pos += count;
        }
    }

    /** The walk met something it does not know; whatever it is, Jackson judges it. */
    private static final class StopScan extends RuntimeException {
        StopScan() {
            super(null, null, false, false);
        }
    }
}

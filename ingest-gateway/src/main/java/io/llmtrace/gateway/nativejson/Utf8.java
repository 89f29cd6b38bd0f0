package io.llmtrace.gateway.nativejson;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation of a whole body before parsing, per the Unicode well-formed byte sequence
 * table: no overlong forms, no encoded surrogates, nothing above U+10FFFF, no truncated sequences. The
 * parser's own checks are looser and only cover text it decodes; this gives one precise error (byte
 * offset) for any malformed body. ASCII, the bulk of span JSON, is skipped eight bytes at a time, so
 * this costs well under a microsecond per kilobyte.
 */
final class Utf8 {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8() {}

  /** Offset of the first byte that does not start a well-formed sequence, or -1 if all are fine. */
  static int firstInvalid(byte[] bytes, int from, int to) {
    int i = from;
    while (i < to) {
      if (i + 8 <= to && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
        i += 8;
        continue;
      }
      int b0 = bytes[i] & 0xFF;
      if (b0 < 0x80) {
        i++;
      } else if (b0 < 0xC2) {
        return i; // a continuation byte without a lead, or an overlong 2-byte lead
      } else if (b0 < 0xE0) {
        if (i + 1 >= to || !continuation(bytes[i + 1])) {
          return i;
        }
        i += 2;
      } else if (b0 < 0xF0) {
        if (i + 2 >= to) {
          return i;
        }
        int b1 = bytes[i + 1] & 0xFF;
        boolean overlong = b0 == 0xE0 && b1 < 0xA0;
        boolean surrogate = b0 == 0xED && b1 > 0x9F;
        if (overlong || surrogate || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2])) {
          return i;
        }
        i += 3;
      } else if (b0 < 0xF5) {
        if (i + 3 >= to) {
          return i;
        }
        int b1 = bytes[i + 1] & 0xFF;
        boolean overlong = b0 == 0xF0 && b1 < 0x90;
        boolean beyondUnicode = b0 == 0xF4 && b1 > 0x8F;
        if (overlong || beyondUnicode || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2])
            || !continuation(bytes[i + 3])) {
          return i;
        }
        i += 4;
      } else {
        return i;
      }
    }
    return -1;
  }

  private static boolean continuation(byte b) {
    return (b & 0xC0) == 0x80;
  }
}

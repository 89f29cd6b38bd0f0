package io.llmtrace.sink.encoding;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Rows encoded in ClickHouse's RowBinary format, appended to one growable array: little-endian
 * fixed-width numbers, LEB128 lengths, a 0/1 byte before every {@code Nullable} value. The bytes of a
 * batch are what the sink sends, so encoding the same records twice gives the same bytes (the
 * deduplication token depends on that only through the offsets, but tests compare both).
 *
 * <p>Type mapping: {@code String}/{@code LowCardinality(String)} = length + UTF-8; {@code Bool} =
 * one byte; {@code DateTime64(6)} = Int64 microseconds since the epoch; {@code Map(K,V)} = count +
 * key/value pairs; {@code Array(T)} = count + elements; {@code Tuple} = its fields in order.
 */
public final class RowBinaryBuffer {

  private byte[] bytes;
  private int size;

  public RowBinaryBuffer(int initialCapacity) {
    this.bytes = new byte[Math.max(64, initialCapacity)];
  }

  public int size() {
    return size;
  }

  /** Forgets the content but keeps the array, so a reused buffer does not allocate again. */
  public void clear() {
    size = 0;
  }

  /** Drops everything after {@code length} (used to undo a row whose encoding failed half-way). */
  public void truncate(int length) {
    if (length < 0 || length > size) {
      throw new IllegalArgumentException("cannot truncate " + size + " bytes to " + length);
    }
    size = length;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  /** The bytes in {@code [from, to)} as a stream, without copying. */
  public InputStream stream(int from, int to) {
    return new ByteArrayInputStream(bytes, from, to - from);
  }

  /** The backing array (valid up to {@link #size()}), for readers in this package. */
  byte[] array() {
    return bytes;
  }

  public void appendArray(byte[] source, int from, int to) {
    int length = to - from;
    ensure(length);
    System.arraycopy(source, from, bytes, size, length);
    size += length;
  }

  public void appendBytes(RowBinaryBuffer other, int from, int to) {
    int length = to - from;
    ensure(length);
    System.arraycopy(other.bytes, from, bytes, size, length);
    size += length;
  }

  public RowBinaryBuffer uint8(int value) {
    ensure(1);
    bytes[size++] = (byte) value;
    return this;
  }

  /** {@code count} zero bytes. */
  public RowBinaryBuffer zeros(int count) {
    ensure(count);
    java.util.Arrays.fill(bytes, size, size + count, (byte) 0);
    size += count;
    return this;
  }

  public RowBinaryBuffer bool(boolean value) {
    return uint8(value ? 1 : 0);
  }

  public RowBinaryBuffer int32(int value) {
    ensure(4);
    bytes[size] = (byte) value;
    bytes[size + 1] = (byte) (value >>> 8);
    bytes[size + 2] = (byte) (value >>> 16);
    bytes[size + 3] = (byte) (value >>> 24);
    size += 4;
    return this;
  }

  public RowBinaryBuffer int64(long value) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      bytes[size + i] = (byte) (value >>> (8 * i));
    }
    size += 8;
    return this;
  }

  public RowBinaryBuffer float64(double value) {
    return int64(Double.doubleToRawLongBits(value));
  }

  /** Unsigned LEB128, the length prefix of strings, arrays and maps. */
  public RowBinaryBuffer varUInt(long value) {
    ensure(10);
    long rest = value;
    while ((rest & ~0x7FL) != 0) {
      bytes[size++] = (byte) ((rest & 0x7F) | 0x80);
      rest >>>= 7;
    }
    bytes[size++] = (byte) rest;
    return this;
  }

  /**
   * Writes {@code count} as the LEB128 length at {@code position}, where one placeholder byte was
   * reserved before the items were appended (for lengths only known afterwards); moves the items when
   * the length needs more than that byte.
   */
  public void patchCount(int position, long count) {
    if (count < 0x80) {
      bytes[position] = (byte) count;
      return;
    }
    int length = 1;
    for (long rest = count >>> 7; rest != 0; rest >>>= 7) {
      length++;
    }
    ensure(length - 1);
    System.arraycopy(bytes, position + 1, bytes, position + length, size - position - 1);
    size += length - 1;
    long rest = count;
    for (int i = 0; i < length; i++) {
      bytes[position + i] = (byte) (i == length - 1 ? rest : (rest & 0x7F) | 0x80);
      rest >>>= 7;
    }
  }

  public RowBinaryBuffer string(CharSequence value) {
    int length = value.length();
    int ascii = 0;
    while (ascii < length && value.charAt(ascii) < 0x80) {
      ascii++;
    }
    if (ascii == length) {
      varUInt(length);
      ensure(length);
      for (int i = 0; i < length; i++) {
        bytes[size + i] = (byte) value.charAt(i);
      }
      size += length;
      return this;
    }
    int utf8 = ascii + utf8Length(value, ascii, length);
    varUInt(utf8);
    ensure(utf8);
    encodeUtf8(value, length);
    return this;
  }

  /** Microseconds since the epoch: the RowBinary form of {@code DateTime64(6)}. */
  public RowBinaryBuffer dateTime64Micros(Instant value) {
    return int64(Math.addExact(Math.multiplyExact(value.getEpochSecond(), 1_000_000L), value.getNano() / 1_000));
  }

  /** {@code Nullable(DateTime64(6))}. */
  public RowBinaryBuffer nullableDateTime64Micros(Instant value) {
    if (present(value)) {
      dateTime64Micros(value);
    }
    return this;
  }

  /** {@code Array(String)}. */
  public RowBinaryBuffer stringArray(List<? extends CharSequence> values) {
    varUInt(values.size());
    for (CharSequence value : values) {
      string(value);
    }
    return this;
  }

  /** The {@code Nullable} marker: true when a value follows. */
  public boolean present(Object value) {
    uint8(value == null ? 1 : 0);
    return value != null;
  }

  public RowBinaryBuffer nullableString(CharSequence value) {
    if (present(value)) {
      string(value);
    }
    return this;
  }

  public RowBinaryBuffer nullableInt32(Integer value) {
    if (present(value)) {
      int32(value);
    }
    return this;
  }

  public RowBinaryBuffer nullableInt64(Long value) {
    if (present(value)) {
      int64(value);
    }
    return this;
  }

  public RowBinaryBuffer nullableFloat64(Double value) {
    if (present(value)) {
      float64(value);
    }
    return this;
  }

  public RowBinaryBuffer nullableBool(Boolean value) {
    if (present(value)) {
      bool(value);
    }
    return this;
  }

  public RowBinaryBuffer stringMap(Map<? extends CharSequence, ? extends CharSequence> map) {
    varUInt(map.size());
    for (Map.Entry<? extends CharSequence, ? extends CharSequence> entry : map.entrySet()) {
      string(entry.getKey());
      string(entry.getValue());
    }
    return this;
  }

  public RowBinaryBuffer stringToInt32Map(Map<? extends CharSequence, Integer> map) {
    varUInt(map.size());
    for (Map.Entry<? extends CharSequence, Integer> entry : map.entrySet()) {
      string(entry.getKey());
      int32(entry.getValue());
    }
    return this;
  }

  /** UTF-8 bytes of {@code value[from, to)}, counting an unpaired surrogate as the one '?' written for it. */
  private static int utf8Length(CharSequence value, int from, int to) {
    int utf8 = 0;
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        utf8 += 1;
      } else if (c < 0x800) {
        utf8 += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(value.charAt(i + 1))) {
        utf8 += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        utf8 += 1;
      } else {
        utf8 += 3;
      }
    }
    return utf8;
  }

  private void encodeUtf8(CharSequence value, int length) {
    byte[] out = bytes;
    int at = size;
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        out[at++] = (byte) c;
      } else if (c < 0x800) {
        out[at++] = (byte) (0xC0 | (c >> 6));
        out[at++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
        int codePoint = Character.toCodePoint(c, value.charAt(++i));
        out[at++] = (byte) (0xF0 | (codePoint >> 18));
        out[at++] = (byte) (0x80 | ((codePoint >> 12) & 0x3F));
        out[at++] = (byte) (0x80 | ((codePoint >> 6) & 0x3F));
        out[at++] = (byte) (0x80 | (codePoint & 0x3F));
      } else if (Character.isSurrogate(c)) {
        out[at++] = (byte) '?'; // what String.getBytes(UTF_8) writes for an unpaired surrogate
      } else {
        out[at++] = (byte) (0xE0 | (c >> 12));
        out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[at++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    size = at;
  }

  private void ensure(int extra) {
    int needed = size + extra;
    if (needed > bytes.length) {
      if (needed < 0) {
        throw new IllegalStateException("a RowBinary batch cannot exceed 2 GiB");
      }
      bytes = Arrays.copyOf(bytes, Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8L, bytes.length * 2L)));
    }
  }
}

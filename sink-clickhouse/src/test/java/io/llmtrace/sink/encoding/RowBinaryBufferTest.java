package io.llmtrace.sink.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowBinaryBufferTest {

  @Test
  void stringsAreLeb128LengthThenTheBytesJavaWouldWrite() {
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(i % 50 == 0 ? 400 : 20);
      for (int c = 0; c < length; c++) {
        // ASCII, 2- and 3-byte chars, paired and unpaired surrogates
        text.append(switch (random.nextInt(6)) {
          case 0, 1 -> (char) random.nextInt(0x80);
          case 2 -> (char) (0x80 + random.nextInt(0x780));
          case 3 -> (char) (0x800 + random.nextInt(0xD000));
          case 4 -> "\uD834\uDD1E";
          default -> (char) (0xD800 + random.nextInt(0x800));
        });
      }
      byte[] expected = text.toString().getBytes(StandardCharsets.UTF_8);
      RowBinaryBuffer buffer = new RowBinaryBuffer(8);
      buffer.string(text);
      assertThat(buffer.toByteArray()).isEqualTo(concat(leb128(expected.length), expected));
    }
  }

  @Test
  void numbersAreLittleEndianAndNullableHasAMarkerByte() {
    RowBinaryBuffer buffer = new RowBinaryBuffer(8);
    buffer.int32(-2).int64(1L << 40).float64(0.25).bool(true).nullableInt64(null).nullableInt32(7)
        .dateTime64Micros(Instant.parse("2026-11-22T10:00:00.123456Z"));
    ByteBuffer read = ByteBuffer.wrap(buffer.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(read.getInt()).isEqualTo(-2);
    assertThat(read.getLong()).isEqualTo(1L << 40);
    assertThat(read.getDouble()).isEqualTo(0.25);
    assertThat(read.get()).isEqualTo((byte) 1);
    assertThat(read.get()).as("null marker").isEqualTo((byte) 1);
    assertThat(read.get()).as("present marker").isEqualTo((byte) 0);
    assertThat(read.getInt()).isEqualTo(7);
    assertThat(read.getLong()).isEqualTo(Instant.parse("2026-11-22T10:00:00.123456Z").getEpochSecond() * 1_000_000 + 123_456);
    assertThat(read.remaining()).isZero();
  }

  @Test
  void mapsAreCountThenPairsAndLengthsUseSevenBitGroups() {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("a", "b");
    map.put("c", "é");
    RowBinaryBuffer buffer = new RowBinaryBuffer(8).stringMap(map).varUInt(300).varUInt(0);
    assertThat(buffer.toByteArray()).containsExactly(2, 1, 'a', 1, 'b', 1, 'c', 2, 0xC3 - 256, 0xA9 - 256, 0xAC - 256, 0x02, 0);
  }

  @Test
  void truncateUndoesAHalfWrittenRowAndGrowingKeepsTheContent() {
    RowBinaryBuffer buffer = new RowBinaryBuffer(1);
    buffer.string("kept");
    int mark = buffer.size();
    buffer.string("x".repeat(10_000));
    buffer.truncate(mark);
    assertThat(buffer.toByteArray()).isEqualTo(concat(new byte[] {4}, "kept".getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] leb128(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long rest = value;
    do {
      int b = (int) (rest & 0x7F);
      rest >>>= 7;
      out.write(rest == 0 ? b : b | 0x80);
    } while (rest != 0);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      out.write(a);
      out.write(b);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }
}

package io.llmtrace.schemas.serde;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte sink kept per thread by the serializer, so encoding a record allocates only the
 * result array. Unlike ByteArrayOutputStream it is unsynchronized, and it drops a buffer that grew
 * for one huge record instead of holding it for the life of the thread.
 */
final class ReusableBuffer extends OutputStream {

  private static final int INITIAL_CAPACITY = 4 * 1024;
  private static final int RETAINED_CAPACITY = 1024 * 1024;

  private byte[] bytes = new byte[INITIAL_CAPACITY];
  private int count;

  void reset() {
    if (bytes.length > RETAINED_CAPACITY) {
      bytes = new byte[INITIAL_CAPACITY];
    }
    count = 0;
  }

  void writeHeader(int schemaId) {
    ensureCapacity(WireFormat.HEADER_LENGTH);
    bytes[count++] = WireFormat.MAGIC_BYTE;
    bytes[count++] = (byte) (schemaId >>> 24);
    bytes[count++] = (byte) (schemaId >>> 16);
    bytes[count++] = (byte) (schemaId >>> 8);
    bytes[count++] = (byte) schemaId;
  }

  @Override
  public void write(int b) {
    ensureCapacity(1);
    bytes[count++] = (byte) b;
  }

  @Override
  public void write(byte[] source, int offset, int length) {
    ensureCapacity(length);
    System.arraycopy(source, offset, bytes, count, length);
    count += length;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, count);
  }

  private void ensureCapacity(int extra) {
    int needed = count + extra;
    if (needed > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
    }
  }
}

package io.llmtrace.schemas.serde;

/**
 * The Confluent wire format every topic carries: one magic byte {@code 0}, the writer schema's
 * registry id as a 4-byte big-endian int, then the Avro binary encoding of the record. Any
 * Confluent-compatible client can read what our serde writes, and the other way round.
 */
public final class WireFormat {

  /** The only magic byte defined so far. */
  public static final byte MAGIC_BYTE = 0;
  /** Magic byte plus schema id. */
  public static final int HEADER_LENGTH = 5;

  private WireFormat() {}

  /** Whether {@code payload} starts like a wire-format record (long enough, right magic byte). */
  public static boolean hasHeader(byte[] payload) {
    return payload != null && payload.length >= HEADER_LENGTH && payload[0] == MAGIC_BYTE;
  }

  /**
   * The schema id in a wire-format payload, e.g. for dead-letter headers.
   *
   * @throws IllegalArgumentException when the payload has no valid header
   */
  public static int schemaId(byte[] payload) {
    if (!hasHeader(payload)) {
      throw new IllegalArgumentException("not a Confluent wire-format payload");
    }
    return readInt(payload, 1);
  }

  static int readInt(byte[] bytes, int offset) {
    return ((bytes[offset] & 0xff) << 24)
        | ((bytes[offset + 1] & 0xff) << 16)
        | ((bytes[offset + 2] & 0xff) << 8)
        | (bytes[offset + 3] & 0xff);
  }
}

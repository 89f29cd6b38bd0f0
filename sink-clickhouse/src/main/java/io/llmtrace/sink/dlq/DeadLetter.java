package io.llmtrace.sink.dlq;

import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * A record the sink could not write, as a row of {@code dead_letters} (migration V003). Built from the
 * consumer record alone, so a batch rebuilt after a crash yields the same dead letters.
 */
public record DeadLetter(String targetTable, String topic, int partition, long offset, long recordTimestampMs,
    String errorClass, String reason, byte[] key, byte[] payload) {

  public static final String TABLE = "dead_letters";
  public static final List<String> COLUMNS = List.of(
      "target_table", "topic", "partition", "offset", "record_time", "error_class", "reason", "key_base64", "payload_base64");

  public void encode(RowBinaryBuffer out) {
    out.string(targetTable).string(topic).int32(partition).int64(offset)
        // DateTime64(3): milliseconds; a record without a timestamp (-1) is stored as the epoch.
        .int64(Math.max(0, recordTimestampMs))
        .string(errorClass).string(reason)
        .nullableString(key == null ? null : Base64.getEncoder().encodeToString(key))
        .string(payload == null ? "" : Base64.getEncoder().encodeToString(payload));
  }

  public Instant recordTime() {
    return Instant.ofEpochMilli(Math.max(0, recordTimestampMs));
  }
}

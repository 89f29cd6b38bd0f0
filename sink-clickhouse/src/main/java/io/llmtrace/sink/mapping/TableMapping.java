package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.registry.SchemaRegistryException;
import io.llmtrace.sink.rowbinary.RowBinaryBuffer;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * How one topic becomes rows of one table: the value deserializer and a row encoder. Adding a topic
 * to ClickHouse is one of these (see {@link Mappings}), not a new consumer.
 *
 * @param name     used in metric tags and the consumer group ({@code <group prefix>.<name>})
 * @param columns  the insert column list, in the order {@code encoder} writes them
 */
public record TableMapping<T>(String name, String topic, String table, List<String> columns,
    Deserializer<T> deserializer, RowEncoder<T> encoder) {

  /** Writes one decoded value as one RowBinary row. */
  @FunctionalInterface
  public interface RowEncoder<T> {
    void encode(T value, int partition, long offset, RowBinaryBuffer out);
  }

  public TableMapping {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(table, "table");
    columns = List.copyOf(columns);
    Objects.requireNonNull(deserializer, "deserializer");
    Objects.requireNonNull(encoder, "encoder");
  }

  /**
   * Decodes the record and appends its row to {@code out}. On failure nothing is appended and the
   * exception says whether the record itself is bad ({@link PoisonRecordException}) or the decoding
   * could not be done right now ({@link TransientMappingException}, e.g. the schema registry is down).
   */
  public void append(ConsumerRecord<byte[], byte[]> record, RowBinaryBuffer out) {
    T value;
    try {
      value = deserializer.deserialize(record.topic(), record.headers(), record.value());
    } catch (RuntimeException e) {
      if (isTransient(e)) {
        throw new TransientMappingException(e.getMessage(), e);
      }
      throw new PoisonRecordException("undecodable", String.valueOf(e.getMessage()), e);
    }
    if (value == null) {
      throw new PoisonRecordException("undecodable", "null value (tombstone) on a topic of " + table + " rows", null);
    }
    int mark = out.size();
    try {
      encoder.encode(value, record.partition(), record.offset(), out);
    } catch (RuntimeException e) {
      out.truncate(mark);
      throw new PoisonRecordException("unmappable", e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static boolean isTransient(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SchemaRegistryException registry) {
        return registry.isRetriable();
      }
    }
    return false;
  }

  /** The record can never become a row: it goes to {@code dead_letters}. */
  public static final class PoisonRecordException extends RuntimeException {
    private final String errorClass;

    public PoisonRecordException(String errorClass, String reason, Throwable cause) {
      super(reason, cause);
      this.errorClass = errorClass;
    }

    public String errorClass() {
      return errorClass;
    }
  }

  /** The record could not be decoded now; the same record is read again after a backoff. */
  public static final class TransientMappingException extends RuntimeException {
    public TransientMappingException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

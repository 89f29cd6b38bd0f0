package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.registry.SchemaRegistryException;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * How one topic becomes rows of one table: the value decoder and a row encoder. Adding a topic
 * to ClickHouse is one of these (see {@link Mappings}), not a new consumer.
 *
 * @param name     used in metric tags and the consumer group ({@code <group prefix>.<name>})
 * @param columns  the insert column list, in the order {@code encoder} writes them
 */
public record TableMapping<T>(String name, String topic, String table, List<String> columns,
    ValueDecoder<T> decoder, RowEncoder<T> encoder, DirectEncoder direct) {

  public TableMapping(String name, String topic, String table, List<String> columns, ValueDecoder<T> decoder,
      RowEncoder<T> encoder) {
    this(name, topic, table, columns, decoder, encoder, null);
  }

  /**
   * An optional shortcut from record bytes to the row, tried first; false sends the record through the
   * decoder and encoder, which must produce the same row.
   */
  @FunctionalInterface
  public interface DirectEncoder {
    boolean encode(byte[] value, int partition, long offset, RowBinaryBuffer out);
  }

  /**
   * Decodes a record value; may fill and return {@code reuse} (the previous value, already encoded)
   * instead of allocating: decoding dominates the sink's CPU, and most of it is allocation.
   */
  @FunctionalInterface
  public interface ValueDecoder<T> {
    T decode(String topic, Headers headers, byte[] value, T reuse);

    /** A plain Kafka deserializer, which allocates every value. */
    static <T> ValueDecoder<T> of(Deserializer<T> deserializer) {
      return (topic, headers, value, reuse) -> deserializer.deserialize(topic, headers, value);
    }
  }

  /** Writes one decoded value as one RowBinary row. */
  @FunctionalInterface
  public interface RowEncoder<T> {
    void encode(T value, int partition, long offset, RowBinaryBuffer out);
  }

  public TableMapping {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(table, "table");
    columns = List.copyOf(columns);
    Objects.requireNonNull(decoder, "decoder");
    Objects.requireNonNull(encoder, "encoder");
  }

  /** One worker's appender: it keeps the last decoded value for reuse, so it is not shared. */
  public RowAppender<T> appender() {
    return new RowAppender<>(this);
  }

  /** Decodes records and appends their rows. */
  public static final class RowAppender<T> {
    private final TableMapping<T> mapping;
    private T reuse;

    private RowAppender(TableMapping<T> mapping) {
      this.mapping = mapping;
    }

    public TableMapping<T> mapping() {
      return mapping;
    }

    /**
     * Decodes the record and appends its row to {@code out}. On failure nothing is appended and the
     * exception says whether the record itself is bad ({@link PoisonRecordException}) or the decoding
     * could not be done right now ({@link TransientMappingException}, e.g. the schema registry is down).
     */
    public void append(ConsumerRecord<byte[], byte[]> record, RowBinaryBuffer out) {
      if (mapping.direct != null && mapping.direct.encode(record.value(), record.partition(), record.offset(), out)) {
        return;
      }
      T value;
      try {
        value = mapping.decoder.decode(record.topic(), record.headers(), record.value(), reuse);
      } catch (RuntimeException e) {
        reuse = null; // a failed read may leave it half-filled
        if (isTransient(e)) {
          throw new TransientMappingException(e.getMessage(), e);
        }
        throw new PoisonRecordException("undecodable", String.valueOf(e.getMessage()), e);
      }
      if (value == null) {
        throw new PoisonRecordException("undecodable", "null value (tombstone) on a topic of " + mapping.table + " rows", null);
      }
      reuse = value;
      int mark = out.size();
      try {
        mapping.encoder.encode(value, record.partition(), record.offset(), out);
      } catch (RuntimeException e) {
        out.truncate(mark);
        throw new PoisonRecordException("unmappable", e.getClass().getSimpleName() + ": " + e.getMessage(), e);
      }
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

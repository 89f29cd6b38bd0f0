package io.llmtrace.processors.common;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The headers a dead letter carries, in the shape of Kafka Streams' own dead-letter queue (KIP-1034):
 * the exception, its message, and where the record came from, so that it can be found, understood and
 * replayed. The original headers are kept.
 */
public final class DeadLetterHeaders {

  public static final String EXCEPTION = "__streams.errors.exception";
  public static final String MESSAGE = "__streams.errors.message";
  public static final String TOPIC = "__streams.errors.topic";
  public static final String PARTITION = "__streams.errors.partition";
  public static final String OFFSET = "__streams.errors.offset";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHeaders.class);

  private DeadLetterHeaders() {}

  /**
   * The dead letter of a record a stage could not read or process: its original key, bytes and time, with
   * the headers below. Logged at debug only (ids, never the content): the stages count them in a meter.
   */
  public static <K> Record<K, Object> letter(Record<K, byte[]> original, RuntimeException error, RecordMetadata source) {
    LOG.debug("dead letter from {}-{}@{}: {}", source.topic(), source.partition(), source.offset(), error.getClass().getSimpleName());
    return new Record<>(original.key(), original.value(), original.timestamp(), of(original.headers(), error, source));
  }

  public static Headers of(Headers original, Throwable error, RecordMetadata source) {
    Headers headers = new RecordHeaders(original.toArray());
    headers.add(EXCEPTION, bytes(error.getClass().getName()));
    headers.add(MESSAGE, bytes(String.valueOf(error.getMessage())));
    headers.add(TOPIC, bytes(source.topic()));
    headers.add(PARTITION, bytes(Integer.toString(source.partition())));
    headers.add(OFFSET, bytes(Long.toString(source.offset())));
    return headers;
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}

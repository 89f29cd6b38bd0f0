package io.llmtrace.gateway.publish;

import io.llmtrace.schemas.avro.LlmSpan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes accepted spans to the raw topic and tells when every one of them is durable. Spans are
 * serialized on the caller's thread (so the byte count is known up front), keyed by trace id, and
 * admitted only while the bytes in flight stay under a bound well below the producer's buffer: the
 * producer therefore never blocks a caller on a full buffer, and a slow or absent broker shows up as
 * {@link Unavailable} right away or as a failed future after {@code delivery.timeout.ms}, never as an
 * unbounded queue.
 */
public final class SpanPublisher implements AutoCloseable {

  /** Producer settings the durability promise depends on; overrides cannot weaken them. */
  static final Map<String, Object> REQUIRED = Map.of(
      ProducerConfig.ACKS_CONFIG, "all",
      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);

  private final Producer<String, byte[]> producer;
  private final Serializer<LlmSpan> serializer;
  private final String topic;
  private final long maxInFlightBytes;
  private final AtomicLong inFlightBytes = new AtomicLong();

  /** Refused before anything was sent: the broker is not keeping up (or not there). */
  public static final class Unavailable extends RuntimeException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  public SpanPublisher(Producer<String, byte[]> producer, Serializer<LlmSpan> serializer, String topic, long maxInFlightBytes) {
    this.producer = producer;
    this.serializer = serializer;
    this.topic = topic;
    this.maxInFlightBytes = maxInFlightBytes;
  }

  /**
   * A producer with the gateway's defaults: idempotent, acks=all, lz4, short linger, and delivery
   * bounded by {@code produceTimeout}. {@code overrides} (raw Kafka keys) apply on top, except the
   * settings in {@link #REQUIRED}.
   */
  public static Producer<String, byte[]> createProducer(String bootstrap, Duration produceTimeout, long bufferBytes, Map<String, String> overrides) {
    Map<String, Object> config = new java.util.HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "llmtrace-gateway");
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferBytes);
    long timeoutMs = Math.max(1000, produceTimeout.toMillis());
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(500, timeoutMs - 500));
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Math.min(timeoutMs, 2000));
    config.putAll(overrides);
    config.putAll(REQUIRED);
    return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Serializes and sends {@code spans}; the future completes when the broker acknowledged all of them
   * (acks=all) and fails with the first send error otherwise.
   *
   * @throws Unavailable when the spans cannot be admitted now (too many bytes in flight, no metadata,
   *     schema registry unreachable); nothing of this batch was sent
   */
  public CompletableFuture<Void> publish(List<LlmSpan> spans) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(spans.size());
    long bytes = 0;
    try {
      for (LlmSpan span : spans) {
        byte[] value = serializer.serialize(topic, span);
        bytes += value.length;
        records.add(new ProducerRecord<>(topic, span.getTraceId(), value));
      }
    } catch (RuntimeException e) {
      throw new Unavailable("cannot serialize spans for " + topic + ": " + e.getMessage(), e);
    }
    long reserved = bytes;
    if (inFlightBytes.addAndGet(reserved) > maxInFlightBytes) {
      inFlightBytes.addAndGet(-reserved);
      throw new Unavailable("Kafka is not keeping up: " + maxInFlightBytes + " bytes already waiting for acknowledgement", null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicInteger pending = new AtomicInteger(records.size());
    int sent = 0;
    try {
      for (ProducerRecord<String, byte[]> record : records) {
        producer.send(record, (metadata, error) -> {
          if (error != null) {
            done.completeExceptionally(error);
          }
          if (pending.decrementAndGet() == 0) {
            inFlightBytes.addAndGet(-reserved);
            done.complete(null);
          }
        });
        sent++;
      }
    } catch (RuntimeException e) {
      // Records already handed over will still complete; the caller gets a failure either way.
      if (pending.addAndGet(-(records.size() - sent)) == 0) {
        inFlightBytes.addAndGet(-reserved);
      }
      done.completeExceptionally(e);
    }
    return done;
  }

  public long inFlightBytes() {
    return inFlightBytes.get();
  }

  /** True when the topic's partition metadata can be fetched within {@code timeout}. */
  public boolean topicReachable(Duration timeout) {
    CompletableFuture<Integer> partitions = CompletableFuture.supplyAsync(() -> producer.partitionsFor(topic).size());
    try {
      return partitions.get(timeout.toMillis(), TimeUnit.MILLISECONDS) > 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  public String topic() {
    return topic;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    serializer.close();
  }
}

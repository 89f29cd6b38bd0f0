package io.llmtrace.gateway.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes accepted records (spans to the raw topic, release markers to the releases topic) and tells
 * when every one of them is durable. Records are serialized and handed to the one producer on a few
 * sender threads, keyed as their {@link Topic} says, and admitted only while the bytes in flight stay
 * under a bound well below the producer's buffer and the send queue is not full: a slow or absent
 * broker shows up as {@link Unavailable} right away or as a failed future after the produce timeout,
 * never as an unbounded queue or a blocked event loop. All topics share the producer, its buffer and
 * that bound, so a release marker is exactly as durable as a span when the gateway answers 2xx.
 */
public final class KafkaPublisher implements AutoCloseable {

  /** Producer settings the durability promise depends on; overrides cannot weaken them. */
  static final Map<String, Object> REQUIRED = Map.of(
      ProducerConfig.ACKS_CONFIG, "all",
      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);

  private final Producer<String, byte[]> producer;
  private final long maxInFlightBytes;
  private final AtomicLong inFlightBytes = new AtomicLong();
  private final Duration produceTimeout;
  private final ThreadPoolExecutor sender;
  /** Batches waiting for a sender thread; beyond this the gateway answers 503 at once. */
  static final int SEND_QUEUE = 1024;

  /** Refused before anything was sent: the broker is not keeping up (or not there). */
  public static final class Unavailable extends RuntimeException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  public KafkaPublisher(Producer<String, byte[]> producer, long maxInFlightBytes, Duration produceTimeout, int senderThreads) {
    this.producer = producer;
    this.maxInFlightBytes = maxInFlightBytes;
    this.produceTimeout = produceTimeout;
    AtomicInteger threadNumber = new AtomicInteger();
    this.sender = new ThreadPoolExecutor(senderThreads, senderThreads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(SEND_QUEUE), runnable -> {
          Thread thread = new Thread(runnable, "kafka-sender-" + threadNumber.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * A producer with the gateway's defaults: idempotent, acks=all, lz4, one request in flight per broker
   * and no linger (batches grow with the load instead of waiting for a timer), and delivery
   * bounded by {@code produceTimeout}. {@code overrides} (raw Kafka keys) apply on top, except the
   * settings in {@link #REQUIRED}.
   */
  public static Producer<String, byte[]> createProducer(String bootstrap, Duration produceTimeout, long bufferBytes, Map<String, String> overrides) {
    Map<String, Object> config = new java.util.HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "llmtrace-gateway");
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // Batching without a timer: a batch goes out as soon as the connection is free, and while one produce
    // request is in flight the next requests' spans gather into the following batch. Measured here
    // (docs/BENCHMARKS.md): linger 5 ms left the gateway waiting with idle CPU (each POST paid the linger),
    // linger 0 with 5 requests in flight sent many tiny batches (the broker's CPU went up, throughput down).
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferBytes);
    long timeoutMs = Math.max(1000, produceTimeout.toMillis());
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(500, timeoutMs - 500));
    // Only sender threads call send(); a short block keeps a batch within its produce timeout.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Math.min(timeoutMs / 2, 1000));
    config.putAll(overrides);
    config.putAll(REQUIRED);
    return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Serializes and sends {@code values} to {@code topic} on the sender threads, never on the caller's: a
   * producer that has lost its metadata blocks in {@code send()}, and that must not stall an event loop.
   * The future completes when the broker acknowledged all of them (acks=all) and fails with the first
   * error, or when the produce timeout passed, whichever comes first.
   *
   * @throws Unavailable when the batch cannot even be queued for sending; nothing of it was sent
   */
  public <V> CompletableFuture<Void> publish(Topic<V> topic, List<V> values) {
    long deadline = System.nanoTime() + produceTimeout.toNanos();
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      sender.execute(() -> send(topic, values, deadline, done));
    } catch (RejectedExecutionException e) {
      throw new Unavailable("Kafka is not keeping up: " + SEND_QUEUE + " batches already wait for the sender", e);
    }
    return done.orTimeout(produceTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
  }

  private <V> void send(Topic<V> topic, List<V> values, long deadline, CompletableFuture<Void> done) {
    if (System.nanoTime() > deadline) {
      done.completeExceptionally(new Unavailable("the batch waited longer than " + produceTimeout + " for the sender", null));
      return;
    }
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(values.size());
    long bytes = 0;
    try {
      for (V item : values) {
        byte[] value = topic.serializer().serialize(topic.name(), item);
        bytes += value.length;
        records.add(new ProducerRecord<>(topic.name(), topic.key().apply(item), value));
      }
    } catch (RuntimeException e) {
      done.completeExceptionally(new Unavailable("cannot serialize records for " + topic.name() + ": " + e.getMessage(), e));
      return;
    }
    long reserved = bytes;
    if (inFlightBytes.addAndGet(reserved) > maxInFlightBytes) {
      inFlightBytes.addAndGet(-reserved);
      done.completeExceptionally(new Unavailable("Kafka is not keeping up: " + maxInFlightBytes + " bytes already wait for acknowledgement", null));
      return;
    }
    AtomicInteger pending = new AtomicInteger(records.size());
    int handedOver = 0;
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
        handedOver++;
      }
    } catch (RuntimeException e) {
      // Stop at the first refusal (no metadata, producer closed); what was handed over still completes.
      if (pending.addAndGet(-(records.size() - handedOver)) == 0) {
        inFlightBytes.addAndGet(-reserved);
      }
      done.completeExceptionally(e);
    }
  }

  public long inFlightBytes() {
    return inFlightBytes.get();
  }

  /** True when the topic's partition metadata can be fetched within {@code timeout}. */
  public boolean topicReachable(String topic, Duration timeout) {
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

  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(10));
  }
}

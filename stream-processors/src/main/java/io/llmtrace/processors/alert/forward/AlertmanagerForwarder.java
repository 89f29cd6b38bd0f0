package io.llmtrace.processors.alert.forward;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmtrace.processors.common.AdminServer;
import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.registry.SchemaRegistryException;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the alert episodes of {@code llm.alerts} to Prometheus Alertmanager, so teams route them with
 * the receivers they already have (chat, paging, email). A plain consumer ({@code read_committed}, manual
 * commits): a record's offset is committed only after an Alertmanager answered 2xx for its alert, or
 * rejected it for good (4xx: logged, counted, skipped); while none answers, the partitions are paused and the
 * same records are tried again with backoff. Mapping in {@link AlertmanagerMapping}, settings in
 * {@link AlertmanagerForwarderConfig}.
 *
 * <p>Restart: the open episodes (which must be re-posted every resend interval or Alertmanager resolves them)
 * are not stored anywhere but the topic. On every partition assignment the forwarder reads the partition
 * back from the look-back ({@code offsetsForTimes(now - look-back)}) up to the committed offset, applying
 * the events to its open set without posting them, then posts what is still open and goes on from the
 * committed offset. On a group's first start it does the same up to the end of the partition: history
 * becomes the open set, it is not replayed as notifications.
 */
public final class AlertmanagerForwarder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerForwarder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String NAME = "alertmanager-forwarder";
  private static final Duration POLL = Duration.ofMillis(200);

  /** Where the loop is, for /health. */
  public enum Phase { STARTING, RUNNING, BACKING_OFF, STOPPED, FAILED }

  private final AlertmanagerForwarderConfig config;
  private final PrometheusMeterRegistry registry;
  private final ForwarderMeters meters;
  private final EpisodeForwarder forwarder;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaClientMetrics consumerMetrics;
  private final Deserializer<AlertEvent> events;
  private final RetryBackoff backoff;
  private final Clock clock;
  private final AdminServer admin;
  private final Thread loop;
  /** Per assigned partition still being read back: the offset where forwarding starts. */
  private final Map<TopicPartition, Long> rebuildUntil = new HashMap<>();
  /** Offsets done with but not committed yet. */
  private final Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
  private final Map<TopicPartition, Boolean> assigned = new ConcurrentHashMap<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Phase phase = Phase.STARTING;
  private volatile boolean closing;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AlertmanagerForwarder(AlertmanagerForwarderConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("application", config.groupId());
    new JvmMemoryMetrics().bindTo(registry);
    this.meters = new ForwarderMeters(registry);
    AlertmanagerClient client = new AlertmanagerClient(config.alertmanagers(), config.requestTimeout(), meters);
    this.forwarder = new EpisodeForwarder(client, config.resendInterval(), config.lookBack(), meters, clock);
    this.backoff = new RetryBackoff(config.retryBackoff(), config.retryBackoffMax());
    SchemaRegistryClient schemas = SchemaRegistryClient.builder(config.registryUrl()).build();
    this.events = PipelineTopics.create(config.topics(), schemas).alerts().valueDeserializer();
    this.consumer = new KafkaConsumer<>(consumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer());
    this.consumerMetrics = new KafkaClientMetrics(consumer);
    consumerMetrics.bindTo(registry);
    this.admin = AdminServer.serve(config.adminHost(), config.adminPort(), registry::scrape, this::health);
    this.loop = new Thread(this::run, NAME);
  }

  /** Our consumer settings, then the overrides, except the two that delivery depends on. */
  static Map<String, Object> consumerProperties(AlertmanagerForwarderConfig config) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    props.putAll(config.consumerOverrides());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return props;
  }

  public static AlertmanagerForwarder start(AlertmanagerForwarderConfig config) {
    return start(config, Clock.systemUTC());
  }

  static AlertmanagerForwarder start(AlertmanagerForwarderConfig config, Clock clock) {
    AlertmanagerForwarder forwarder = new AlertmanagerForwarder(config, clock);
    forwarder.loop.start();
    LOG.info("{} started: {} -> {} (group {}); metrics and health on port {}", NAME, config.topic(), config.alertmanagers(),
        config.groupId(), forwarder.adminPort());
    return forwarder;
  }

  /** Process entry point: runs until SIGTERM; exits 2 on bad settings, 1 when the loop fails. */
  public static void main(String[] args) throws InterruptedException {
    AlertmanagerForwarderConfig config;
    try {
      config = AlertmanagerForwarderConfig.from(Settings.fromEnvironment());
    } catch (RuntimeException e) {
      System.err.println("alertmanager forwarder: " + e.getMessage());
      System.exit(2);
      return;
    }
    AlertmanagerForwarder forwarder = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(forwarder::close, NAME + "-shutdown"));
    forwarder.loop.join();
    System.exit(forwarder.phase == Phase.FAILED ? 1 : 0);
  }

  public int adminPort() {
    return admin.port();
  }

  public Phase phase() {
    return phase;
  }

  /** Partitions of the alerts topic this instance reads now. */
  public int assignedPartitions() {
    return assigned.size();
  }

  public int openEpisodes() {
    return forwarder.openEpisodes();
  }

  public PrometheusMeterRegistry meters() {
    return registry;
  }

  /** Up unless the loop has failed or stopped; an Alertmanager outage is BACKING_OFF, still up: a restart would not help. */
  public AdminServer.Status health() {
    Phase now = phase;
    Map<String, Object> report = new LinkedHashMap<>();
    boolean up = now != Phase.FAILED && now != Phase.STOPPED;
    report.put("status", up ? "UP" : "DOWN");
    report.put("application", NAME);
    report.put("phase", now.name());
    report.put("partitions", assigned.size());
    report.put("open_episodes", forwarder.openEpisodes());
    Throwable failed = failure.get();
    if (failed != null) {
      report.put("failure", failed.toString());
    }
    try {
      return new AdminServer.Status(up, JSON.writeValueAsString(report));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void run() {
    try {
      consumer.subscribe(List.of(config.topic()), new Rebalance());
      phase = Phase.RUNNING;
      while (!closing) {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        boolean ok = forwardAll(records);
        commit();
        if (ok && !backoff.waiting(clock.instant()) && !rebuilding()) {
          ok = forwarder.resendDue();
        }
        if (!ok) {
          Duration wait = backoff.failed(clock.instant());
          consumer.pause(consumer.assignment());
          phase = Phase.BACKING_OFF;
          LOG.warn("no Alertmanager took the alerts ({} attempt(s) failed); trying again in {}", backoff.failures(), wait);
        } else if (!backoff.waiting(clock.instant())) {
          consumer.resume(consumer.paused());
          phase = Phase.RUNNING;
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        fail(e);
      }
    } catch (RuntimeException | Error e) {
      fail(e);
    } finally {
      try {
        commit();
      } catch (RuntimeException e) {
        LOG.warn("{}: final commit failed; the uncommitted alerts will be posted again", NAME, e);
      }
      consumer.close(Duration.ofSeconds(10));
      if (phase != Phase.FAILED) {
        phase = Phase.STOPPED;
      }
    }
  }

  private void fail(Throwable e) {
    failure.compareAndSet(null, e);
    phase = Phase.FAILED;
    LOG.error("{} failed; stopping", NAME, e);
  }

  /**
   * Forwards a poll's records partition by partition, in offset order; at the first one that could not be
   * delivered, seeks every partition back to its first record not done, and returns false.
   */
  private boolean forwardAll(ConsumerRecords<String, byte[]> records) {
    boolean delivered = true;
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> batch = records.records(partition);
      if (!delivered) {
        consumer.seek(partition, batch.get(0).offset());
        continue;
      }
      for (ConsumerRecord<String, byte[]> record : batch) {
        if (!forward(partition, record)) {
          consumer.seek(partition, record.offset());
          delivered = false;
          break;
        }
      }
    }
    if (delivered && !records.isEmpty()) {
      backoff.succeeded();
    }
    return delivered;
  }

  /** One record: false when it must be tried again. */
  private boolean forward(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
    Long rebuildEnd = rebuildUntil.get(partition);
    boolean replay = rebuildEnd != null && record.offset() < rebuildEnd;
    AlertEvent event;
    try {
      event = record.value() == null ? null : events.deserialize(record.topic(), record.value());
    } catch (SerializationException e) {
      if (e.getCause() instanceof SchemaRegistryException registryError && registryError.isRetriable()) {
        LOG.warn("schema registry unavailable reading {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
            registryError.getMessage());
        return false;
      }
      // Ids only, never the payload.
      LOG.warn("unreadable record {}-{}@{} skipped: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      LOG.debug("unreadable record {}-{}@{}", record.topic(), record.partition(), record.offset(), e);
      if (!replay) {
        meters.unreadable.increment();
        done.put(partition, new OffsetAndMetadata(record.offset() + 1));
      }
      return true;
    }
    Instant recordTime = Instant.ofEpochMilli(record.timestamp());
    if (replay) {
      if (event != null) {
        forwarder.rebuild(partition.partition(), event, recordTime);
      }
      return true;
    }
    if (event != null && forwarder.forward(partition.partition(), event, recordTime) instanceof EpisodeForwarder.Step.Retry retry) {
      LOG.debug("episode {} not delivered: {}", event.getAlertId(), retry.reason());
      return false;
    }
    done.put(partition, new OffsetAndMetadata(record.offset() + 1));
    return true;
  }

  /** True while some partition is still being read back: re-posting a half-built set could re-open a resolved episode. */
  private boolean rebuilding() {
    rebuildUntil.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    return !rebuildUntil.isEmpty();
  }

  private void commit() {
    if (done.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(done);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved: their new owner starts from the last commit and posts these alerts again.
      LOG.warn("{}: commit failed during a rebalance; {} partition(s) will be posted again from their last commit", NAME, done.size());
    }
    done.clear();
  }

  /** Stops the loop (committing what is done) and the admin endpoint; waits for the loop to end. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    closing = true;
    consumer.wakeup();
    try {
      loop.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumerMetrics.close();
    admin.close();
    registry.close();
  }

  /** Reads each newly assigned partition back from the look-back; forwards from the committed offset. */
  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      long since = clock.instant().minus(config.lookBack()).toEpochMilli();
      Map<TopicPartition, Long> times = new HashMap<>();
      partitions.forEach(p -> times.put(p, since));
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
      Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(times);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Map<TopicPartition, OffsetAndMetadata> firstStart = new HashMap<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata commit = committed.get(partition);
        long resumeAt = commit != null ? commit.offset() : ends.get(partition);
        OffsetAndTimestamp fromTime = byTime.get(partition);
        long from = Math.min(fromTime != null ? fromTime.offset() : resumeAt, resumeAt);
        if (commit == null) {
          firstStart.put(partition, new OffsetAndMetadata(resumeAt));
        }
        consumer.seek(partition, from);
        if (from < resumeAt) {
          rebuildUntil.put(partition, resumeAt);
        }
        assigned.put(partition, true);
        LOG.info("{}: reading {} back from offset {} to {}, forwarding from there", NAME, partition, from, resumeAt);
      }
      if (!firstStart.isEmpty()) {
        // so that a restart before the first alert does not take later records for history
        consumer.commitSync(firstStart);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> ours = new HashMap<>();
      partitions.forEach(p -> {
        OffsetAndMetadata offset = done.remove(p);
        if (offset != null) {
          ours.put(p, offset);
        }
      });
      if (!ours.isEmpty()) {
        try {
          consumer.commitSync(ours);
        } catch (RuntimeException e) {
          LOG.warn("{}: commit on revocation failed; the new owner posts those alerts again", NAME, e);
        }
      }
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(done::remove);
      forget(partitions);
    }

    private void forget(Collection<TopicPartition> partitions) {
      partitions.forEach(p -> {
        rebuildUntil.remove(p);
        assigned.remove(p);
      });
      forwarder.revoke(partitions.stream().map(TopicPartition::partition).toList());
    }
  }
}

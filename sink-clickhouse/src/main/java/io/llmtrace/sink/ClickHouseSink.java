package io.llmtrace.sink;

import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.Migrations;
import io.llmtrace.sink.mapping.Mappings;
import io.llmtrace.sink.mapping.TableMapping;
import io.llmtrace.sink.metrics.SinkMetrics;
import io.llmtrace.sink.processing.Backoff;
import io.llmtrace.sink.processing.SinkWorkers;
import io.llmtrace.sink.processing.SinkWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClickHouse sink service: applies the table migrations, then runs one {@link SinkWorker} (one
 * consumer) per {@link TableMapping}, and serves {@code /metrics} and {@code /health}. {@link #main}
 * runs it until SIGTERM; a worker that dies ends the process with status 1 so a supervisor restarts it.
 */
public final class ClickHouseSink implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);

  private final ClickHouseTarget target;
  private final SinkMetrics metrics;
  private final List<SinkWorker<?>> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AdminServer admin;

  private ClickHouseSink(SinkConfig config, List<TableMapping<?>> mappings) {
    this.metrics = new SinkMetrics();
    this.target = ClickHouseTarget.connect(config.clickhouse());
    List<Integer> applied = new Migrations(target, config.clickhouse()).apply();
    LOG.info("ClickHouse {} at {} ready (migrations applied now: {})", config.clickhouse().database(),
        config.clickhouse().url(), applied);
    Backoff backoff = new Backoff(config.retryInitial(), config.retryMax());
    for (TableMapping<?> mapping : mappings) {
      workers.add(SinkWorkers.create(config, mapping, target, metrics, backoff));
    }
    this.admin = AdminServer.start(config.adminHost(), config.adminPort(), metrics, this::health);
  }

  /** Connects, migrates, starts the workers and the admin endpoint. */
  public static ClickHouseSink start(SinkConfig config, List<TableMapping<?>> mappings) {
    ClickHouseSink sink = new ClickHouseSink(config, mappings);
    for (SinkWorker<?> worker : sink.workers) {
      Thread thread = new Thread(worker, "sink-" + worker.mapping().name());
      sink.threads.add(thread);
      thread.start();
    }
    return sink;
  }

  /** The sink for the pipeline's topics, as configured. */
  public static ClickHouseSink start(SinkConfig config) {
    SchemaRegistryClient registry = SchemaRegistryClient.builder(config.schemaRegistryUrl()).build();
    return start(config, List.of(Mappings.spans(config.spansTopic(), registry), Mappings.traces(config.tracesTopic(), registry),
        Mappings.metrics(config.metricsTopic(), registry), Mappings.alerts(config.alertsTopic(), registry),
        Mappings.releases(config.releasesTopic(), registry), Mappings.review(config.reviewTopic(), registry)));
  }

  public int adminPort() {
    return admin.port();
  }

  public ClickHouseTarget target() {
    return target;
  }

  public SinkMetrics metrics() {
    return metrics;
  }

  /** Health as a report: ClickHouse reachability and each worker's state. */
  public Health health() {
    boolean reachable = target.ping();
    metrics.clickhouseUp(reachable);
    List<Health.Worker> states = new ArrayList<>();
    for (SinkWorker<?> worker : workers) {
      Throwable failure = worker.failure();
      String state = failure != null ? "failed: " + failure : worker.stalled() ? "retrying" : "running";
      states.add(new Health.Worker(worker.mapping().table(), worker.mapping().topic(), state));
    }
    return new Health(reachable, states);
  }

  /** Waits until a worker ends (it only ends on a fatal error or {@link #close}). */
  public void awaitTermination() throws InterruptedException {
    CountDownLatch anyEnded = new CountDownLatch(1);
    for (Thread thread : threads) {
      Thread watcher = new Thread(() -> {
        try {
          thread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        anyEnded.countDown();
      }, "sink-watch");
      watcher.setDaemon(true);
      watcher.start();
    }
    anyEnded.await();
  }

  @Override
  public void close() {
    workers.forEach(SinkWorker::stop);
    for (Thread thread : threads) {
      try {
        thread.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    admin.close();
    target.close();
  }

  public static void main(String[] args) throws InterruptedException {
    SinkConfig config = SinkConfig.from(Settings.fromEnvironment());
    ClickHouseSink sink = start(config);
    LOG.info("sink running; metrics and health on port {}", sink.adminPort());
    Runtime.getRuntime().addShutdownHook(new Thread(sink::close, "sink-shutdown"));
    sink.awaitTermination();
    boolean failed = sink.workers.stream().anyMatch(worker -> worker.failure() != null);
    if (failed) {
      LOG.error("a sink worker failed; exiting so the supervisor restarts the sink");
      Runtime.getRuntime().halt(1);
    }
  }
}

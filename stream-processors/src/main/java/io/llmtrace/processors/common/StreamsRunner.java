package io.llmtrace.processors.common;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one stream application the way every stage runs: exactly_once_v2 (from {@link StreamsSettings}),
 * a state listener that logs transitions, an uncaught-exception handler, Kafka Streams' own metrics bound
 * to Micrometer and served with health on the admin port, and a clean close on SIGTERM.
 *
 * <p>An exception that escapes a processor shuts the client down rather than replacing the thread: under
 * exactly_once_v2 the replacement would re-read the same record and fail the same way, forever. Records a
 * stage can expect to be bad are handled inside it (dead letters); anything else is a bug or an outage,
 * and a process that exits with status 1 is what supervisors (systemd, Kubernetes) restart and alert on.
 */
public final class StreamsRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

  private final String name;
  private final KafkaStreams streams;
  private final PrometheusMeterRegistry registry;
  private final KafkaStreamsMetrics streamsMetrics;
  private final AdminServer admin;
  private final Duration closeTimeout;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private StreamsRunner(String name, Topology topology, StreamsSettings settings, PrometheusMeterRegistry registry) {
    this.name = name;
    this.closeTimeout = settings.closeTimeout();
    this.streams = new KafkaStreams(topology, settings.streamsProperties());
    this.registry = registry;
    new JvmMemoryMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    streams.setStateListener((now, before) -> {
      LOG.info("{}: {} -> {}", name, before, now);
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        stopped.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(e -> {
      failure.compareAndSet(null, e);
      LOG.error("{}: a stream thread failed; shutting the application down", name, e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    this.admin = AdminServer.start(settings.adminHost(), settings.adminPort(), registry::scrape, this::health);
  }

  /** Builds and starts the application; {@code name} is used in logs and health. */
  public static StreamsRunner start(String name, Topology topology, StreamsSettings settings) {
    return start(name, topology, settings, registry(settings));
  }

  /**
   * The registry an application's own meters go in before the topology is built: tagged with its
   * application id, like every Kafka Streams meter the runner adds to it.
   */
  public static PrometheusMeterRegistry registry(StreamsSettings settings) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("application", settings.applicationId());
    return registry;
  }

  /** As {@link #start(String, Topology, StreamsSettings)}, serving the app's own meters from {@code registry} (see {@link #registry}). */
  public static StreamsRunner start(String name, Topology topology, StreamsSettings settings, PrometheusMeterRegistry registry) {
    StreamsRunner runner = new StreamsRunner(name, topology, settings, registry);
    runner.streams.start();
    LOG.info("{} started (application id {}); metrics and health on port {}", name, settings.applicationId(), runner.adminPort());
    return runner;
  }

  /**
   * Runs until SIGTERM (clean close) or until the application fails; returns the exit status for
   * {@code main}: 0 after a requested stop, 1 after a failure.
   */
  public static int runUntilStopped(String name, Topology topology, StreamsSettings settings) throws InterruptedException {
    return runUntilStopped(name, topology, settings, registry(settings));
  }

  public static int runUntilStopped(String name, Topology topology, StreamsSettings settings, PrometheusMeterRegistry registry)
      throws InterruptedException {
    StreamsRunner runner = start(name, topology, settings, registry);
    Thread hook = new Thread(runner::close, name + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    runner.stopped.await();
    if (runner.failure.get() != null || runner.streams.state() == KafkaStreams.State.ERROR) {
      return 1;
    }
    return 0;
  }

  public KafkaStreams streams() {
    return streams;
  }

  public int adminPort() {
    return admin.port();
  }

  public StreamsHealth health() {
    Throwable failed = failure.get();
    return new StreamsHealth(name, streams.state(), failed == null ? null : failed.toString());
  }

  /** Closes Kafka Streams (commits, leaves the group on a clean close) and the admin endpoint. */
  @Override
  public void close() {
    streams.close(new KafkaStreams.CloseOptions().timeout(closeTimeout).leaveGroup(true));
    streamsMetrics.close();
    admin.close();
    registry.close();
    stopped.countDown();
  }
}

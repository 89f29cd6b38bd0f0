package io.llmtrace.processors.alert;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.TopologyFixture;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.EvaluationStats;
import io.llmtrace.schemas.avro.Exemplars;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The real alert topology ({@link AlertTopology#build}) with the shipped rules (or given ones) in a
 * {@link TopologyTestDriver} with a fake registry. Event time starts at {@link #T0}; {@link #minute}
 * pipes one minute's windows and lets the evaluator's wall-clock punctuator run once.
 */
final class AlertDriver implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  static final TopicNames NAMES = TopicNames.defaults();

  private final TopologyFixture fixture;
  private final TopologyTestDriver driver;
  private final PipelineTopics topics;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final TestInputTopic<String, byte[]> metrics;
  final TestInputTopic<String, byte[]> spans;
  final TestInputTopic<String, byte[]> redactionEvents;
  final TestInputTopic<String, byte[]> releases;
  final TestOutputTopic<String, AlertEvent> alerts;
  final TestOutputTopic<String, byte[]> deadLetters;
  final List<AlertEvent> seen = new ArrayList<>();

  AlertDriver() {
    this(AlertConfig.bundledRules());
  }

  AlertDriver(List<AlertRule> rules) {
    fixture = TopologyFixture.start("alerts-test", NAMES, built -> AlertTopology.build(built, rules, List.of("customer_tier"), Duration.ofSeconds(1),
        new AlertMeters(meters)), T0);
    topics = fixture.topics;
    driver = fixture.driver;
    metrics = driver.createInputTopic(NAMES.metrics(), new StringSerializer(), new ByteArraySerializer());
    spans = driver.createInputTopic(NAMES.redacted(), new StringSerializer(), new ByteArraySerializer());
    redactionEvents = driver.createInputTopic(NAMES.redactionEvents(), new StringSerializer(), new ByteArraySerializer());
    releases = driver.createInputTopic(NAMES.releases(), new StringSerializer(), new ByteArraySerializer());
    alerts = driver.createOutputTopic(NAMES.alerts(), new StringDeserializer(), topics.alerts().valueDeserializer());
    deadLetters = driver.createOutputTopic(NAMES.deadLetters(), new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
  }

  void pipe(MetricWindow window) {
    metrics.pipeInput(window.getGroupId(), topics.metrics().valueSerializer().serialize(NAMES.metrics(), window), window.getWindowEnd());
  }

  void pipe(LlmSpan span) {
    spans.pipeInput(span.getTraceId(), topics.redacted().valueSerializer().serialize(NAMES.redacted(), span), span.getEndTime());
  }

  void pipeRedactionEvent(AlertEvent event) {
    redactionEvents.pipeInput(event.getAlertId(), topics.redactionEvents().valueSerializer().serialize(NAMES.redactionEvents(), event));
  }

  void pipe(ReleaseMarker marker) {
    releases.pipeInput(marker.getTenantId() + "/" + marker.getServiceName(),
        topics.releases().valueSerializer().serialize(NAMES.releases(), marker));
  }

  void pipeRawMetrics(String key, byte[] bytes) {
    metrics.pipeInput(key, bytes);
  }

  /** Pipes windows, lets one evaluation run, returns the events it published. */
  List<AlertEvent> minute(List<MetricWindow> windows) {
    windows.forEach(this::pipe);
    return tick(Duration.ofSeconds(1));
  }

  /** Advances the wall clock (the evaluator punctuates each second) and returns what was published. */
  List<AlertEvent> tick(Duration by) {
    driver.advanceWallClockTime(by);
    List<AlertEvent> out = alerts.readValuesToList();
    seen.addAll(out);
    return out;
  }

  List<AlertEvent> drain() {
    List<AlertEvent> out = alerts.readValuesToList();
    seen.addAll(out);
    return out;
  }

  @Override
  public void close() {
    fixture.close();
  }

  // ---- metric windows as the metrics stage publishes them

  /** A window of minute {@code minute} after {@link #T0} with these dimensions (tenant acme unless given). */
  static MetricWindow.Builder window(String level, long minute, long count, String... dims) {
    Map<String, String> dimensions = new TreeMap<>();
    dimensions.put("tenant_id", "acme");
    for (int i = 0; i < dims.length; i += 2) {
      dimensions.put(dims[i], dims[i + 1]);
    }
    Instant start = T0.plus(Duration.ofMinutes(minute));
    return MetricWindow.newBuilder().setMetricName(level).setDimensions(dimensions).setGroupId(level + dimensions)
        .setWindowStart(start).setWindowEnd(start.plusSeconds(60)).setCount(count);
  }

  static MetricWindow.Builder spans(long minute, long count, String... dims) {
    return window("llm.spans", minute, count, dims);
  }

  static MetricWindow.Builder traces(long minute, long tasks, String... dims) {
    return window("llm.traces", minute, tasks, dims).setTasks(tasks);
  }

  static Map<String, EvaluationStats> evaluations(String evaluator, long passed, long failed) {
    return Map.of(evaluator, EvaluationStats.newBuilder().setPassed(passed).setFailed(failed).build());
  }

  static Exemplars errors(String... traces) {
    return Exemplars.newBuilder().setErrors(List.of(traces)).build();
  }

  static Exemplars failedEvaluations(String... traces) {
    return Exemplars.newBuilder().setFailedEvaluations(List.of(traces)).build();
  }
}

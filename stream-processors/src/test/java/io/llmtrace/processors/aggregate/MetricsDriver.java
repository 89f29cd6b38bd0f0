package io.llmtrace.processors.aggregate;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.TopologyFixture;
import io.llmtrace.processors.common.TestMeters;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.TraceSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The real metrics topology ({@link MetricsTopology#build}) in a {@link TopologyTestDriver} with a fake
 * registry; the wall clock starts at {@link #T0}, a minute boundary.
 */
final class MetricsDriver implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  static final TopicNames NAMES = TopicNames.defaults();

  private final TopologyFixture fixture;
  private final TopologyTestDriver driver;
  private final PipelineTopics topics;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final TestInputTopic<String, byte[]> spans;
  final TestInputTopic<String, byte[]> traces;
  final TestOutputTopic<String, MetricWindow> metrics;

  MetricsDriver(MetricsConfig.Windows windows) {
    fixture = TopologyFixture.start("metrics-test", NAMES, built -> MetricsTopology.build(built, windows, new MetricsMeters(meters)), T0);
    topics = fixture.topics;
    driver = fixture.driver;
    spans = driver.createInputTopic(NAMES.redacted(), new StringSerializer(), new ByteArraySerializer());
    traces = driver.createInputTopic(NAMES.traces(), new StringSerializer(), new ByteArraySerializer());
    metrics = driver.createOutputTopic(NAMES.metrics(), new StringDeserializer(), topics.metrics().valueDeserializer());
  }

  MetricsDriver() {
    this(MetricsConfig.Windows.defaults());
  }

  static MetricsConfig.Windows windows(int maxGroupsPerTenant) {
    MetricsConfig.Windows d = MetricsConfig.Windows.defaults();
    return new MetricsConfig.Windows(d.size(), d.grace(), d.idleCloseAfter(), d.groupAttributes(), maxGroupsPerTenant,
        d.attributionRetention(), d.punctuateInterval());
  }

  void pipe(LlmSpan span) {
    spans.pipeInput(span.getTraceId(), topics.redacted().valueSerializer().serialize(NAMES.redacted(), span), span.getEndTime());
  }

  void pipeAll(List<LlmSpan> list) {
    list.forEach(this::pipe);
  }

  void pipe(TraceSummary trace) {
    traces.pipeInput(trace.getTraceId(), topics.traces().valueSerializer().serialize(NAMES.traces(), trace), trace.getEndTime());
  }

  void advanceWallClock(Duration by) {
    driver.advanceWallClockTime(by);
  }

  double counter(String name, String... tags) {
    return TestMeters.counter(meters, name, tags);
  }

  @Override
  public void close() {
    fixture.close();
  }
}

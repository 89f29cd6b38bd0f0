package io.llmtrace.processors.assemble;

import io.llmtrace.processors.assemble.state.TraceState;
import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.TopologyFixture;
import io.llmtrace.processors.common.TestMeters;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The real assembly topology ({@link TraceAssemblyTopology#build}) in a {@link TopologyTestDriver} with a
 * fake schema registry. Wall clock and stream time both start at {@link #T0}; spans are piped with the
 * record timestamp the test chooses (stream time is the largest seen).
 */
final class AssemblyDriver implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  static final TopicNames NAMES = TopicNames.defaults();

  private final TopologyFixture fixture;
  private final TopologyTestDriver driver;
  private final PipelineTopics topics;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final TestInputTopic<String, byte[]> redacted;
  final TestOutputTopic<String, TraceSummary> traces;
  final TestOutputTopic<String, byte[]> deadLetters;
  private final TestOutputTopic<byte[], byte[]> changelog;

  AssemblyDriver(AssemblyConfig.Timing timing, TraceAggregator.Limits limits) {
    fixture = TopologyFixture.start("assembly-test", NAMES, built -> TraceAssemblyTopology.build(built, timing, limits, new AssemblyMetrics(meters)), T0);
    topics = fixture.topics;
    driver = fixture.driver;
    redacted = driver.createInputTopic(NAMES.redacted(), new StringSerializer(), new ByteArraySerializer());
    traces = driver.createOutputTopic(NAMES.traces(), new StringDeserializer(), topics.traces().valueDeserializer());
    deadLetters = driver.createOutputTopic(NAMES.deadLetters(), new StringDeserializer(), new ByteArrayDeserializer());
    changelog = driver.createOutputTopic("assembly-test-" + TraceAssemblyTopology.STORE + "-changelog", new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  AssemblyDriver() {
    this(timing(Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofHours(1)), new TraceAggregator.Limits(1_000, 32));
  }

  static AssemblyConfig.Timing timing(Duration gap, Duration max, Duration retention) {
    return new AssemblyConfig.Timing(gap, max, retention, Duration.ofSeconds(1));
  }

  /** Pipes a span, keyed by its trace, with the record timestamp {@code T0 + atMillis}. */
  void pipe(LlmSpan span, long atMillis) {
    redacted.pipeInput(span.getTraceId(), topics.redacted().valueSerializer().serialize(NAMES.redacted(), span), T0.plusMillis(atMillis));
  }

  void pipeAll(List<LlmSpan> spans, long atMillis) {
    spans.forEach(span -> pipe(span, atMillis));
  }

  void pipeBytes(String key, byte[] value, long atMillis) {
    redacted.pipeInput(key, value, T0.plusMillis(atMillis));
  }

  /**
   * The driver keeps every record written, changelog included; a test that writes thousands of large
   * states drops them as it goes.
   */
  long drainChangelog() {
    long bytes = 0;
    for (var record : changelog.readRecordsToList()) {
      bytes += record.value() == null ? 0 : record.value().length;
    }
    return bytes;
  }

  void advanceWallClock(Duration by) {
    driver.advanceWallClockTime(by);
  }

  KeyValueStore<String, TraceState> store() {
    return driver.getKeyValueStore(TraceAssemblyTopology.STORE);
  }

  double counter(String name, String... tags) {
    return TestMeters.counter(meters, name, tags);
  }

  @Override
  public void close() {
    fixture.close();
  }
}

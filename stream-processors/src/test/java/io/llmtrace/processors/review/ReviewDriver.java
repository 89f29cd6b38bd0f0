package io.llmtrace.processors.review;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.TopologyFixture;
import io.llmtrace.processors.common.TestMeters;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.TraceSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The real review topology ({@link ReviewTopology#build}) in a {@link TopologyTestDriver} with a fake registry:
 * trace summaries, redacted spans and alert events in (serialized by the pipeline's serdes, so a test can also
 * pipe bytes that are not a record), review items and dead letters out.
 */
final class ReviewDriver implements AutoCloseable {

  static final Instant T0 = ReviewFixtures.T0;
  static final TopicNames NAMES = TopicNames.defaults();

  private final TopologyFixture fixture;
  private final TopologyTestDriver driver;
  private final PipelineTopics topics;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final TestInputTopic<String, byte[]> traces;
  final TestInputTopic<String, byte[]> spans;
  final TestInputTopic<String, byte[]> alerts;
  final TestOutputTopic<String, ReviewItem> review;
  final TestOutputTopic<String, byte[]> deadLetters;

  ReviewDriver(ReviewPolicy policy, ReviewConfig.State state) {
    fixture = TopologyFixture.start("review-test", NAMES, built -> ReviewTopology.build(built, policy, state, new ReviewMeters(meters)), T0);
    topics = fixture.topics;
    driver = fixture.driver;
    traces = driver.createInputTopic(NAMES.traces(), new StringSerializer(), new ByteArraySerializer());
    spans = driver.createInputTopic(NAMES.redacted(), new StringSerializer(), new ByteArraySerializer());
    alerts = driver.createInputTopic(NAMES.alerts(), new StringSerializer(), new ByteArraySerializer());
    review = driver.createOutputTopic(NAMES.review(), new StringDeserializer(), topics.review().valueDeserializer());
    deadLetters = driver.createOutputTopic(NAMES.deadLetters(), new StringDeserializer(), new ByteArrayDeserializer());
  }

  ReviewDriver(ReviewPolicy policy) {
    this(policy, ReviewConfig.State.defaults());
  }

  ReviewDriver() {
    this(ReviewPolicy.bundled());
  }

  void pipe(TraceSummary trace) {
    Instant at = trace.getAssembledAt() != null ? trace.getAssembledAt() : trace.getEndTime();
    traces.pipeInput(trace.getTraceId(), topics.traces().valueSerializer().serialize(NAMES.traces(), trace), at);
  }

  void pipe(LlmSpan span) {
    spans.pipeInput(span.getTraceId(), topics.redacted().valueSerializer().serialize(NAMES.redacted(), span), span.getEndTime());
  }

  void pipe(AlertEvent alert) {
    alerts.pipeInput(alert.getAlertId(), topics.alerts().valueSerializer().serialize(NAMES.alerts(), alert), alert.getFiredAt());
  }

  /** The items published since the last read. */
  List<ReviewItem> items() {
    return review.readValuesToList();
  }

  List<TestRecord<String, ReviewItem>> records() {
    return review.readRecordsToList();
  }

  double counter(String name, String... tags) {
    return TestMeters.counter(meters, name, tags);
  }

  @Override
  public void close() {
    fixture.close();
  }
}

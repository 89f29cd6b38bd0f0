package io.llmtrace.processors.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.assemble.state.TraceState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.serde.AvroSerde;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.FakeSchemaRegistry;
import io.llmtrace.schemas.testing.TestTraces;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The processor alone in a {@link MockProcessorContext}, its punctuators fired by hand (as Kafka's
 * {@code WordCountProcessorTest} does): what it forwards at each punctuation, as a list.
 */
class TraceAssemblyProcessorTest {

  static final String TRACE = "2cf7651916cd43dd8448eb211c80319e";
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  private FakeSchemaRegistry registry;
  private AvroSerde<LlmSpan> spans;
  private MockProcessorContext<String, Object> context;
  private TraceAssemblyProcessor processor;
  private KeyValueStore<String, TraceState> store;

  @BeforeEach
  void setUp() {
    registry = FakeSchemaRegistry.start();
    spans = AvroSerdes.specific(LlmSpan.class, Map.of("schema.registry.url", registry.url()), false);
    context = new MockProcessorContext<>();
    store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TraceAssemblyTopology.STORE), Serdes.String(), TraceStateSerde.serde())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    processor = new TraceAssemblyProcessor(spans.deserializer(), AssemblyDriver.timing(Duration.ofSeconds(30), Duration.ofMinutes(10),
        Duration.ofHours(1)), new TraceAggregator(new TraceAggregator.Limits(1_000, 32)), new AssemblyMetrics(new SimpleMeterRegistry()));
    context.setCurrentSystemTimeMs(T0.toEpochMilli());
    context.setCurrentStreamTimeMs(T0.toEpochMilli());
    processor.init(context);
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @Test
  void schedulesAStreamTimeAndAWallClockPunctuatorEverySecond() {
    assertThat(context.scheduledPunctuators()).extracting(CapturedPunctuator::getType)
        .containsExactlyInAnyOrder(org.apache.kafka.streams.processor.PunctuationType.STREAM_TIME,
            org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME);
    assertThat(context.scheduledPunctuators()).extracting(CapturedPunctuator::getInterval).containsOnly(Duration.ofSeconds(1));
  }

  @Test
  void forwardsNothingBeforeTheGapThenOneSummaryThenNothingAgain() {
    List<LlmSpan> trace = TestTraces.supportTicket(TRACE, T0.minusSeconds(10));
    for (LlmSpan span : trace) {
      process(span);
    }

    fireAt(T0.plusMillis(29_999));
    assertThat(context.forwarded()).isEmpty();

    fireAt(T0.plusSeconds(30));
    assertThat(context.forwarded()).hasSize(1);
    var forwarded = context.forwarded().get(0);
    assertThat(forwarded.childName()).contains(TraceAssemblyTopology.TRACES);
    TraceSummary summary = (TraceSummary) forwarded.record().value();
    assertThat(summary.getVersion()).isEqualTo(1);
    assertThat(summary.getAssembledAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(store.get(TRACE).getDirty()).isFalse();

    context.resetForwards();
    fireAt(T0.plus(Duration.ofMinutes(5)));
    assertThat(context.forwarded()).as("emitted once").isEmpty();
  }

  @Test
  void aRestoredOpenTraceIsNotEmittedForTheDowntimeAlone() {
    List<LlmSpan> trace = TestTraces.supportTicket(TRACE, T0.minusSeconds(10));
    process(trace.get(0));
    process(trace.get(1));

    // the process stops; a new processor (and context) over the same store starts ten minutes later
    context = new MockProcessorContext<>();
    context.addStateStore(store);
    context.setCurrentStreamTimeMs(T0.toEpochMilli());
    processor = new TraceAssemblyProcessor(spans.deserializer(), AssemblyDriver.timing(Duration.ofSeconds(30), Duration.ofMinutes(20),
        Duration.ofHours(1)), new TraceAggregator(new TraceAggregator.Limits(1_000, 32)), new AssemblyMetrics(new SimpleMeterRegistry()));
    context.setCurrentSystemTimeMs(T0.plus(Duration.ofMinutes(10)).toEpochMilli());
    processor.init(context);
    fireAt(T0.plus(Duration.ofMinutes(10)).plusSeconds(1));
    assertThat(context.forwarded()).isEmpty();

    for (LlmSpan span : trace.subList(2, trace.size())) {
      process(span);
    }
    fireAt(T0.plus(Duration.ofMinutes(10)).plusSeconds(31));
    assertThat(context.forwarded()).singleElement()
        .satisfies(f -> assertThat(((TraceSummary) f.record().value()).getSpanCount()).isEqualTo(TestTraces.SUPPORT_SPANS));
  }

  private void process(LlmSpan span) {
    processor.process(new Record<>(span.getTraceId(), spans.serializer().serialize("redacted", span), context.currentStreamTimeMs()));
  }

  /** Moves the wall clock and fires the wall-clock punctuator, as Kafka Streams would. */
  private void fireAt(Instant wall) {
    context.setCurrentSystemTimeMs(wall.toEpochMilli());
    context.scheduledPunctuators().stream()
        .filter(p -> p.getType() == org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME)
        .forEach(p -> p.getPunctuator().punctuate(wall.toEpochMilli()));
  }
}

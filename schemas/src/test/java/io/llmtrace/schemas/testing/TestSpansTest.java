package io.llmtrace.schemas.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.generic.IndexedRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Keeps the shared fixtures honest, so other modules' tests can trust what they claim to hold. */
class TestSpansTest {

  static Stream<Arguments> fullyPopulatedRecords() {
    return Stream.of(
            TestSpans.fullyPopulated(),
            TestRecords.traceSummary(),
            TestRecords.metricWindow(),
            TestRecords.alertEvent(),
            TestRecords.reviewItem(),
            TestRecords.releaseMarker())
        .map(record -> Arguments.of(record.getSchema().getName(), record));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fullyPopulatedRecords")
  void fullyPopulatedFixturesSetEveryField(String name, IndexedRecord record) {
    assertThat(FieldCoverage.unsetFields(record)).isEmpty();
  }

  @Test
  void coverageReportsWhatMinimalLeavesUnset() {
    List<String> unset = FieldCoverage.unsetFields(TestSpans.minimal());

    assertThat(unset)
        .contains(
            "LlmSpan.parent_span_id is null",
            "LlmSpan.prompt is null",
            "LlmSpan.attributes is an empty map",
            "LlmSpan.evaluations is an empty array",
            "io.llmtrace.schemas.avro.LlmSpan.status never differs from its default",
            "io.llmtrace.schemas.avro.LlmSpan.fallback never differs from its default")
        .noneMatch(problem -> problem.startsWith("LlmSpan.trace_id"));
  }

  @Test
  void coverageLooksInsideNestedListsAndMaps() {
    LlmSpan span = TestSpans.fullyPopulated();
    span.getRetrieval().getDocuments().get(1).setChunkId(null);
    span.getEvents().get(0).getAttributes().clear();

    assertThat(FieldCoverage.unsetFields(span))
        .containsExactly(
            "LlmSpan.retrieval.documents[1].chunk_id is null",
            "LlmSpan.events[0].attributes is an empty map");
  }

  @Test
  void fixturesAreFreshInstances() {
    LlmSpan first = TestSpans.fullyPopulated();
    first.getAttributes().put("mutated", "yes");
    first.setName("changed");

    assertThat(TestSpans.fullyPopulated()).isNotEqualTo(first);
    assertThat(TestSpans.fullyPopulated()).isEqualTo(TestSpans.fullyPopulated());
  }

  @Test
  void timestampsHaveMicrosecondPrecision() {
    LlmSpan span = TestSpans.fullyPopulated();

    assertThat(span.getStartTime()).isEqualTo(span.getStartTime().truncatedTo(ChronoUnit.MICROS));
    assertThat(span.getEndTime()).isAfter(span.getStartTime());
  }

  @Test
  void ragTraceIsOneTraceUnderAWorkflowRoot() {
    List<LlmSpan> trace = TestSpans.ragTrace();
    LlmSpan root = trace.get(0);

    assertThat(trace).hasSize(TestSpans.RAG_SPAN_COUNT);
    assertThat(trace).extracting(LlmSpan::getTraceId).containsOnly(TestSpans.TRACE_ID);
    assertThat(trace).extracting(LlmSpan::getKind)
        .containsExactly(SpanKind.WORKFLOW, SpanKind.RETRIEVAL, SpanKind.LLM, SpanKind.TOOL);
    assertThat(root.getParentSpanId()).isNull();
    assertThat(trace.subList(1, trace.size()))
        .allSatisfy(child -> {
          assertThat(child.getParentSpanId()).isEqualTo(root.getSpanId());
          assertThat(child.getStartTime()).isAfterOrEqualTo(root.getStartTime());
          assertThat(child.getEndTime()).isBeforeOrEqualTo(root.getEndTime());
        });
    assertThat(trace).extracting(LlmSpan::getSpanId).doesNotHaveDuplicates();
    assertThat(trace).extracting(LlmSpan::getStatus).containsOnly(SpanStatus.OK);
  }

  @Test
  void unknownCostUsedTokensButHasNoAmount() {
    LlmSpan span = TestSpans.unknownCost();

    assertThat(span.getUsage().getTotalTokens()).isPositive();
    assertThat(span.getCost().getSource()).isEqualTo(CostSource.UNKNOWN);
    assertThat(span.getCost().getAmount()).isNull();
  }

  @Test
  void randomVariantsSometimesHaveAnUnknownCost() {
    Random random = new Random(11);
    List<Cost> costs = Stream.generate(() -> TestSpans.randomVariant(random)).limit(200)
        .map(LlmSpan::getCost).filter(Objects::nonNull).toList();

    assertThat(costs).anySatisfy(cost -> assertThat(cost.getAmount()).isNull())
        .anySatisfy(cost -> assertThat(cost.getAmount()).isNotNull());
    assertThat(costs).filteredOn(cost -> cost.getAmount() == null)
        .extracting(Cost::getSource).containsOnly(CostSource.UNKNOWN);
  }

  @Test
  void randomVariantsSometimesDropTheQualityFields() {
    Random random = new Random(13);
    List<LlmSpan> spans = Stream.generate(() -> TestSpans.randomVariant(random)).limit(200).toList();

    assertThat(spans).anyMatch(span -> span.getOutputValidation() == null)
        .anyMatch(span -> span.getOutputValidation() != null && span.getOutputValidation().getErrors().isEmpty())
        .anyMatch(span -> span.getOutputValidation() != null && !span.getOutputValidation().getErrors().isEmpty())
        .anyMatch(span -> span.getPolicySeverity() == null).anyMatch(span -> span.getPolicySeverity() != null)
        .anyMatch(span -> span.getCitationCoverage() == null).anyMatch(span -> span.getCitationCoverage() != null)
        .anyMatch(span -> span.getPrompt() != null && span.getPrompt().getTemplate() == null)
        .anyMatch(span -> span.getPrompt() != null && span.getPrompt().getTemplate() != null)
        .anyMatch(span -> span.getToolExecution() != null && span.getToolExecution().getCallId() == null)
        .anyMatch(span -> span.getToolExecution() != null && span.getToolExecution().getCallId() != null);
  }

  @Test
  void ragTraceToolSpanNamesTheToolCallItAnswers() {
    List<LlmSpan> trace = TestSpans.ragTrace();

    assertThat(trace.get(3).getToolExecution().getCallId())
        .isEqualTo(trace.get(2).getOutput().getToolCalls().get(0).getId());
  }

  @Test
  void ragTraceTotalsMatchTheConstants() {
    List<LlmSpan> trace = TestSpans.ragTrace(TestSpans.traceId(7), TestSpans.START.plusSeconds(60));

    long tokens = trace.stream().map(LlmSpan::getUsage).filter(Objects::nonNull)
        .mapToLong(u -> u.getTotalTokens()).sum();
    double cost = trace.stream().map(LlmSpan::getCost).filter(Objects::nonNull)
        .mapToDouble(c -> c.getAmount()).sum();
    LlmSpan root = trace.get(0);

    assertThat(tokens).isEqualTo(TestSpans.RAG_TOTAL_TOKENS);
    assertThat(cost).isEqualTo(TestSpans.RAG_TOTAL_COST);
    assertThat(Duration.between(root.getStartTime(), root.getEndTime()).toNanos() / 1_000)
        .isEqualTo(TestSpans.RAG_DURATION_MICROS);
    assertThat(trace).extracting(LlmSpan::getTraceId).containsOnly(TestSpans.traceId(7));
    assertThat(TestSpans.traceId(7)).matches("[0-9a-f]{32}");
  }
}

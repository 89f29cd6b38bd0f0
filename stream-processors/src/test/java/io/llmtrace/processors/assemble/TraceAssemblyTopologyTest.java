package io.llmtrace.processors.assemble;

import static io.llmtrace.processors.assemble.AssemblyDriver.timing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.llmtrace.processors.assemble.state.TraceState;
import io.llmtrace.processors.common.DeadLetterHeaders;
import io.llmtrace.schemas.avro.CriticalStep;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.TraceOutcome;
import io.llmtrace.schemas.avro.TraceStatus;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.testing.TestTraces;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The assembly topology as built for production ({@link TraceAssemblyTopology#build}), driven by record
 * timestamps (stream time) and by the driver's wall clock.
 */
class TraceAssemblyTopologyTest {

  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  static final String OTHER = "1bf7651916cd43dd8448eb211c80319d";
  static final Instant START = AssemblyDriver.T0.minusSeconds(10);

  @Test
  void supportTicketTraceIsOneRescuedSummaryWithItsCountsTokensAndCost() {
    try (AssemblyDriver driver = new AssemblyDriver()) {
      driver.pipeAll(TestTraces.supportTicket(TRACE, START), 0);
      driver.advanceWallClock(Duration.ofSeconds(30));

      List<TraceSummary> out = driver.traces.readValuesToList();
      assertThat(out).hasSize(1);
      TraceSummary trace = out.get(0);
      assertThat(trace.getTraceId()).isEqualTo(TRACE);
      assertThat(trace.getVersion()).isEqualTo(1);
      assertThat(trace.getOutcome()).isEqualTo(TraceOutcome.RESCUED);
      assertThat(trace.getStatus()).isEqualTo(TraceStatus.ERROR);
      assertThat(trace.getTenantId()).isEqualTo(TestTraces.TENANT);
      assertThat(trace.getFeatureName()).isEqualTo("support_chatbot");
      assertThat(trace.getRequestId()).isEqualTo("ticket-" + TRACE.substring(0, 6));
      assertThat(trace.getRootSpanName()).isEqualTo("support_ticket");
      assertThat(trace.getRootSpanKind()).isEqualTo("WORKFLOW");
      assertThat(trace.getSpanCount()).isEqualTo(TestTraces.SUPPORT_SPANS);
      assertThat(trace.getSpanCountsByKind()).isEqualTo(Map.of("WORKFLOW", 1, "LLM", 3, "RETRIEVAL", 1, "POLICY_CHECK", 2));
      assertThat(trace.getLlmCalls()).isEqualTo(3);
      assertThat(trace.getRetrievalCalls()).isEqualTo(1);
      assertThat(trace.getRetries()).isEqualTo(1);
      assertThat(trace.getErrorCount()).isEqualTo(1);
      assertThat(trace.getPolicyCheckFailures()).isEqualTo(1);
      assertThat(trace.getFailedEvaluations()).isEqualTo(1);
      assertThat(trace.getFirstError().getSpanName()).isEqualTo("policy_check");
      assertThat(trace.getFirstError().getErrorType()).isEqualTo("policy_violation");
      assertThat(trace.getInputTokens()).isEqualTo(TestTraces.SUPPORT_INPUT_TOKENS);
      assertThat(trace.getOutputTokens()).isEqualTo(TestTraces.SUPPORT_OUTPUT_TOKENS);
      assertThat(trace.getTotalTokens()).isEqualTo(TestTraces.SUPPORT_INPUT_TOKENS + TestTraces.SUPPORT_OUTPUT_TOKENS);
      assertThat(trace.getTotalCost()).isCloseTo(TestTraces.SUPPORT_COST, within(1e-12));
      assertThat(trace.getUnknownCostSpans()).isZero();
      assertThat(trace.getPromptNames()).containsExactly("classify_ticket", "support_answer");
      assertThat(trace.getPromptVersionsUsed()).containsExactly("classify_ticket@v12", "support_answer@v34", "support_answer@v35");
      assertThat(trace.getModelsUsed()).containsExactly("claude-3-5-sonnet-20241022", "gpt-4.1-mini");
      assertThat(trace.getDurationMicros()).isEqualTo(TestTraces.SUPPORT_DURATION_MICROS);
      assertThat(trace.getSlowestSpan().getName()).isEqualTo("retry_draft_response");
      assertThat(trace.getSlowestSpan().getDurationMicros()).isEqualTo(2_280_000);
      // root 0-6900 ms; steps back to back: 780 + 2280 + 740 + 2140 + 180 + 620 ms on the path
      assertThat(trace.getCriticalPathMicros()).isEqualTo(6_740_000L);
      assertThat(trace.getCriticalPath()).extracting(CriticalStep::getName, CriticalStep::getMicros).containsExactly(
          org.assertj.core.groups.Tuple.tuple("retry_draft_response", 2_280_000L),
          org.assertj.core.groups.Tuple.tuple("draft_response", 2_140_000L),
          org.assertj.core.groups.Tuple.tuple("policy_check", 1_520_000L),
          org.assertj.core.groups.Tuple.tuple("classify_ticket", 620_000L),
          org.assertj.core.groups.Tuple.tuple("retrieve_policy_docs", 180_000L));
      assertThat(trace.getEvaluations().get("refund_policy").getPassed()).isEqualTo(1);
      assertThat(trace.getEvaluations().get("refund_policy").getFailed()).isEqualTo(1);
      assertThat(trace.getEvaluations().get("refund_policy").getMinScore()).isEqualTo(0.2);
      assertThat(trace.getTruncated()).isFalse();
      assertThat(trace.getIncomplete()).isFalse();
      assertThat(driver.counter("llmtrace_assembly_spans")).isEqualTo(TestTraces.SUPPORT_SPANS);
      assertThat(driver.counter("llmtrace_assembly_traces_emitted", "version", "first")).isEqualTo(1);
    }
  }

  @Test
  void emittedAtTheInactivityGapByStreamTime() {
    try (AssemblyDriver driver = new AssemblyDriver()) {
      driver.pipeAll(TestTraces.supportTicket(TRACE, START), 0);

      driver.pipe(other(0), 29_999); // stream time moves; 1 ms short of the gap
      assertThat(driver.traces.isEmpty()).isTrue();

      driver.pipe(other(1), 30_000);
      assertThat(driver.traces.readValuesToList()).extracting(TraceSummary::getTraceId).containsExactly(TRACE);
    }
  }

  @Test
  void emittedAtTheInactivityGapByWallClockOnAQuietPartition() {
    try (AssemblyDriver driver = new AssemblyDriver()) {
      driver.pipeAll(TestTraces.supportTicket(TRACE, START), 0);

      driver.advanceWallClock(Duration.ofMillis(29_000));
      assertThat(driver.traces.isEmpty()).isTrue();

      driver.advanceWallClock(Duration.ofMillis(1_000));
      assertThat(driver.traces.readValuesToList()).extracting(TraceSummary::getTraceId).containsExactly(TRACE);
    }
  }

  @Test
  void aNewSpanRestartsTheGap() {
    try (AssemblyDriver driver = new AssemblyDriver()) {
      List<LlmSpan> spans = TestTraces.supportTicket(TRACE, START);
      driver.pipeAll(spans.subList(0, 5), 0);
      driver.pipe(spans.get(5), 20_000);
      driver.pipe(other(0), 49_999);
      assertThat(driver.traces.isEmpty()).isTrue();

      driver.pipe(spans.get(6), 50_000);
      driver.pipe(other(1), 80_000);

      assertThat(driver.traces.readValuesToList()).filteredOn(t -> t.getTraceId().equals(TRACE))
          .singleElement().satisfies(t -> assertThat(t.getSpanCount()).isEqualTo(TestTraces.SUPPORT_SPANS));
    }
  }

  @Test
  void orphanSpansWaitForTheMaximumAndAreIncomplete() {
    try (AssemblyDriver driver = new AssemblyDriver(timing(Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofHours(1)),
        new TraceAggregator.Limits(1_000, 32))) {
      List<LlmSpan> children = TestTraces.supportTicket(TRACE, START).subList(1, 4); // no root
      driver.pipeAll(children, 0);

      driver.advanceWallClock(Duration.ofMinutes(9).plusSeconds(59));
      assertThat(driver.traces.isEmpty()).as("no root: the gap does not end it").isTrue();
      driver.advanceWallClock(Duration.ofSeconds(1));

      TraceSummary trace = driver.traces.readValue();
      assertThat(trace.getOutcome()).isEqualTo(TraceOutcome.INCOMPLETE);
      assertThat(trace.getIncomplete()).isTrue();
      assertThat(trace.getRootSpanName()).isNull();
      assertThat(trace.getCriticalPathMicros()).isNull();
      assertThat(trace.getSpanCount()).isEqualTo(3);
      assertThat(driver.counter("llmtrace_assembly_traces_incomplete")).isEqualTo(1);
    }
  }

  @Test
  void aBusyTraceIsEmittedAtTheMaximumByStreamTime() {
    try (AssemblyDriver driver = new AssemblyDriver(timing(Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofHours(1)),
        new TraceAggregator.Limits(1_000, 32))) {
      List<LlmSpan> spans = TestTraces.supportTicket(TRACE, START);
      driver.pipe(spans.get(0), 0);
      // a span every 20 s never leaves a 30 s gap
      for (int i = 1; i <= 5; i++) {
        driver.pipe(spans.get(i), i * 20_000L);
      }
      assertThat(driver.traces.isEmpty()).isTrue();

      driver.pipe(spans.get(6), 120_000);

      TraceSummary trace = driver.traces.readValue();
      assertThat(trace.getSpanCount()).isEqualTo(TestTraces.SUPPORT_SPANS);
      assertThat(trace.getIncomplete()).isFalse();
    }
  }

  @Test
  void lateSpanAfterEmissionProducesVersionTwoWithCorrectedTotals() {
    try (AssemblyDriver driver = new AssemblyDriver()) {
      List<LlmSpan> spans = TestTraces.supportTicket(TRACE, START);
      driver.pipeAll(spans.subList(0, 6), 0);
      driver.advanceWallClock(Duration.ofSeconds(30));
      TraceSummary first = driver.traces.readValue();
      assertThat(first.getVersion()).isEqualTo(1);
      assertThat(first.getSpanCount()).isEqualTo(6);

      driver.pipe(spans.get(6), 60_000);
      driver.advanceWallClock(Duration.ofSeconds(30));

      List<TestRecord<String, TraceSummary>> out = driver.traces.readRecordsToList();
      assertThat(out).hasSize(1);
      TraceSummary second = out.get(0).value();
      assertThat(second.getVersion()).isEqualTo(2);
      assertThat(second.getSpanCount()).isEqualTo(7);
      assertThat(second.getEvaluations().get("refund_policy").getPassed()).isEqualTo(1);
      assertThat(out.get(0).timestamp()).as("the latest span's record time").isEqualTo(AssemblyDriver.T0.plusSeconds(60).toEpochMilli());
      assertThat(driver.counter("llmtrace_assembly_late_spans")).isEqualTo(1);
      assertThat(driver.counter("llmtrace_assembly_traces_emitted", "version", "revised")).isEqualTo(1);
    }
  }

  @Test
  void duplicateSpansCountOnceAlsoAfterEmission() {
    try (AssemblyDriver driver = new AssemblyDriver()) {
      List<LlmSpan> spans = TestTraces.supportTicket(TRACE, START);
      driver.pipeAll(spans, 0);
      driver.pipeAll(spans.subList(1, 4), 100);
      driver.advanceWallClock(Duration.ofSeconds(30));
      TraceSummary first = driver.traces.readValue();
      assertThat(first.getSpanCount()).isEqualTo(TestTraces.SUPPORT_SPANS);
      assertThat(first.getTotalCost()).isCloseTo(TestTraces.SUPPORT_COST, within(1e-12));

      driver.pipeAll(spans, 40_000); // a client re-sent the whole trace
      driver.advanceWallClock(Duration.ofMinutes(2));

      assertThat(driver.traces.isEmpty()).as("nothing new: no second version").isTrue();
      assertThat(driver.counter("llmtrace_assembly_duplicate_spans")).isEqualTo(3 + TestTraces.SUPPORT_SPANS);
    }
  }

  @Test
  void emittedStateIsPurgedAfterTheRetention() {
    try (AssemblyDriver driver = new AssemblyDriver(timing(Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofMinutes(5)),
        new TraceAggregator.Limits(1_000, 32))) {
      driver.pipeAll(TestTraces.supportTicket(TRACE, START), 0);
      driver.advanceWallClock(Duration.ofSeconds(30));
      assertThat(driver.traces.readValuesToList()).hasSize(1);
      driver.advanceWallClock(Duration.ofMinutes(4));
      assertThat(driver.store().get(TRACE)).as("kept for late spans").isNotNull();

      driver.advanceWallClock(Duration.ofMinutes(1));

      assertThat(driver.store().get(TRACE)).isNull();
      assertThat(driver.counter("llmtrace_assembly_traces_purged")).isEqualTo(1);
    }
  }

  @Test
  void aTenThousandSpanTraceKeepsBoundedState() {
    try (AssemblyDriver driver = new AssemblyDriver(timing(Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofHours(1)),
        new TraceAggregator.Limits(1_000, 32))) {
      List<LlmSpan> template = TestTraces.supportTicket(TRACE, START);
      driver.pipe(template.get(0), 0);
      int sizeAtCap = 0;
      for (int i = 1; i < 10_000; i++) {
        LlmSpan span = LlmSpan.newBuilder(template.get(1 + i % 6)).setSpanId(String.format("%016x", 1_000_000 + i)).build();
        driver.pipe(span, 0);
        if (i % 500 == 0) {
          driver.drainChangelog();
        }
        if (i == 1_500) {
          sizeAtCap = TraceStateSerde.write(driver.store().get(TRACE)).length;
        }
      }

      TraceState state = driver.store().get(TRACE);
      int size = TraceStateSerde.write(state).length;
      assertThat(state.getSpans()).hasSize(1_000);
      assertThat(size).as("state past the cap grows by counter widths only").isBetween(sizeAtCap, sizeAtCap + 64).isLessThan(100_000);
      driver.advanceWallClock(Duration.ofSeconds(30));
      TraceSummary trace = driver.traces.readValue();
      assertThat(trace.getSpanCount()).isEqualTo(10_000);
      assertThat(trace.getTruncated()).isTrue();
      assertThat(trace.getCriticalPathMicros()).isNull();
      assertThat(trace.getLlmCalls()).isEqualTo(4_999); // template spans 2..7 in turn: LLM for every even i
    }
  }

  @Test
  void unreadableRecordGoesToDeadLettersAndTheRestFlows() {
    try (AssemblyDriver driver = new AssemblyDriver()) {
      driver.pipeBytes(TRACE, "not avro".getBytes(StandardCharsets.UTF_8), 0);
      driver.pipeAll(TestTraces.supportTicket(TRACE, START), 1);
      driver.advanceWallClock(Duration.ofSeconds(30));

      var dead = driver.deadLetters.readRecord();
      assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
      assertThat(new String(dead.headers().lastHeader(DeadLetterHeaders.TOPIC).value(), StandardCharsets.UTF_8))
          .isEqualTo(AssemblyDriver.NAMES.redacted());
      assertThat(driver.traces.readValuesToList()).hasSize(1);
      assertThat(driver.counter("llmtrace_assembly_dead_letters")).isEqualTo(1);
    }
  }

  @Test
  void unknownCostIsCountedNotSummedAsZero() {
    try (AssemblyDriver driver = new AssemblyDriver()) {
      List<LlmSpan> spans = new ArrayList<>(TestTraces.supportTicket(TRACE, START));
      spans.get(3).getCost().setAmount(null);
      spans.get(3).getCost().setSource(io.llmtrace.schemas.avro.CostSource.UNKNOWN);
      driver.pipeAll(spans, 0);
      driver.advanceWallClock(Duration.ofSeconds(30));

      TraceSummary trace = driver.traces.readValue();
      assertThat(trace.getUnknownCostSpans()).isEqualTo(1);
      assertThat(trace.getTotalCost()).isCloseTo(0.00018 + 0.01395, within(1e-12));
    }
  }

  private static LlmSpan other(int n) {
    return LlmSpan.newBuilder(TestTraces.supportTicket(OTHER, START).get(1)).setSpanId(String.format("%016x", 100 + n)).build();
  }
}

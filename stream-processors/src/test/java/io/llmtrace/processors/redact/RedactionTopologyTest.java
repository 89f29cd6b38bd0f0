package io.llmtrace.processors.redact;

import io.llmtrace.processors.common.DeadLetterHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.OutputValidation;
import io.llmtrace.schemas.avro.RedactionSummary;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.testing.TestSpans;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routing of the redaction stage on the real topology ({@link RedactionTopology#build}) with a stand-in
 * scrubber whose behaviour each test controls: the redaction rules themselves are tested elsewhere;
 * here it is where every record goes.
 */
class RedactionTopologyTest {

  private static final String CANARY = "jane@example.com";

  private StageDriver stage;
  private TestOutputTopic<String, LlmSpan> redacted;
  private TestOutputTopic<String, byte[]> dlq;
  private TestOutputTopic<String, LlmSpan> quarantine;
  private TestOutputTopic<String, AlertEvent> events;
  /** When false, the stand-in scrubber "forgets" to redact: the quarantine path. */
  private boolean scrubberWorks = true;

  @BeforeEach
  void start() {
    stage = new StageDriver("redaction-test", new StandInScrubber());
    redacted = stage.redacted;
    dlq = stage.dlq;
    quarantine = stage.quarantine;
    events = stage.events;
  }

  @AfterEach
  void stop() {
    stage.close();
  }

  @Test
  void aGoodSpanIsRedactedEnrichedAndKeyedByTrace() {
    LlmSpan span = TestSpans.fullyPopulated();
    span.setCost(null);
    span.getPrompt().getMessages().add(Message.newBuilder().setRole("user").setContent("write to " + CANARY).build());

    stage.pipe(span);

    List<TestRecord<String, LlmSpan>> out = redacted.readRecordsToList();
    assertThat(out).singleElement().satisfies(record -> {
      assertThat(record.key()).isEqualTo(span.getTraceId());
      LlmSpan value = record.value();
      assertThat(value.toString()).doesNotContain(CANARY);
      assertThat(value.getRedaction().getCountsByDetector()).containsEntry(RedactionProcessor.CANARY_SEEN, 1).containsEntry("email", 1);
      assertThat(value.getCost()).as("enriched from the price table").isNotNull();
    });
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(quarantine.isEmpty()).isTrue();
    assertThat(events.isEmpty()).isTrue();
  }

  @Test
  void theStageStoresTheOutputValidationItComputedNotTheProducers() {
    // Given a span whose producer claims a clean validation, but whose second tool call misses its argument
    LlmSpan span = TestSpans.fullyPopulated();
    span.setOutputValidation(OutputValidation.newBuilder().build());
    span.getOutput().getToolCalls().add(ToolCall.newBuilder().setId("call_8e2").setName("crm_account_lookup")
        .setArgumentsJson("{\"account_id\":42}").build());

    stage.pipe(span);

    OutputValidation validation = redacted.readRecordsToList().get(0).value().getOutputValidation();
    assertThat(validation.getJsonRequested()).isTrue();
    assertThat(validation.getJsonParseFailed()).isFalse();
    assertThat(validation.getToolArgumentFailures()).isEqualTo(1);
    assertThat(validation.getErrors()).containsExactly("output.tool_calls[1].arguments_json: type at /account_id");
  }

  @Test
  void bytesThatAreNotASpanGoToTheDeadLettersUnchangedWithTheirOrigin() {
    byte[] garbage = "{not avro".getBytes(StandardCharsets.UTF_8);
    stage.raw.pipeInput("k1", garbage);
    LlmSpan good = TestSpans.minimal();
    stage.pipe(good);

    List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).singleElement().satisfies(record -> {
      assertThat(record.value()).isEqualTo(garbage);
      assertThat(header(record, DeadLetterHeaders.TOPIC)).isEqualTo("raw");
      assertThat(header(record, DeadLetterHeaders.PARTITION)).isEqualTo("0");
      assertThat(header(record, DeadLetterHeaders.OFFSET)).isEqualTo("0");
      assertThat(header(record, DeadLetterHeaders.EXCEPTION)).contains("SerializationException");
      assertThat(header(record, DeadLetterHeaders.MESSAGE)).contains("magic byte");
    });
    assertThat(redacted.readRecordsToList()).as("the stream goes on after a bad record").hasSize(1);
  }

  @Test
  void aCanaryThatSurvivesRedactionIsQuarantinedAndPages() {
    scrubberWorks = false;
    LlmSpan span = TestSpans.minimal();
    span.setErrorMessage("failed for " + CANARY);

    stage.pipe(span);

    assertThat(redacted.isEmpty()).as("nothing unredacted reaches the redacted topic").isTrue();
    assertThat(quarantine.readRecordsToList()).singleElement()
        .satisfies(record -> assertThat(record.value().getSpanId()).isEqualTo(span.getSpanId()));
    AlertEvent event = events.readValue();
    assertThat(event.getRuleId()).isEqualTo("redaction_failure");
    assertThat(event.getSeverity()).isEqualTo(AlertSeverity.PAGE);
    assertThat(event.getExampleTraceIds()).containsExactly(span.getTraceId());
    assertThat(event.toString()).as("the event names where, never what").doesNotContain(CANARY);
  }

  @Test
  void aSpanTheScrubberCannotHandleIsADeadLetterNotACrash() {
    LlmSpan span = TestSpans.minimal();
    span.setName("explode");
    stage.pipe(span);

    assertThat(dlq.readRecordsToList()).singleElement()
        .satisfies(record -> assertThat(header(record, DeadLetterHeaders.EXCEPTION)).isEqualTo(IllegalStateException.class.getName()));
    assertThat(redacted.isEmpty()).isTrue();
  }

  private static String header(TestRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** Masks the one canary email; finds it by scanning the span's text form; fails on demand. */
  private final class StandInScrubber implements SpanScrubber {
    @Override
    public LlmSpan scrub(LlmSpan span) {
      if (span.getName().equals("explode")) {
        throw new IllegalStateException("scrubber failure");
      }
      LlmSpan copy = LlmSpan.newBuilder(span).build();
      int found = 0;
      if (scrubberWorks) {
        for (Message m : copy.getPrompt() == null ? List.<Message>of() : copy.getPrompt().getMessages()) {
          if (m.getContent() != null && m.getContent().contains(CANARY)) {
            m.setContent(m.getContent().replace(CANARY, "[REDACTED:EMAIL]"));
            found++;
          }
        }
      }
      copy.setRedaction(RedactionSummary.newBuilder().setApplied(true).setCountsByDetector(found > 0 ? Map.of("email", found) : Map.of())
          .setPolicyVersion("test").build());
      return copy;
    }

    @Override
    public Set<String> canariesIn(LlmSpan span) {
      return span.toString().contains(CANARY) ? new HashSet<>(Set.of(CANARY)) : Set.of();
    }
  }
}

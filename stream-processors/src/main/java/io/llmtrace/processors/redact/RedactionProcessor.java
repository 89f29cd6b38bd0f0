package io.llmtrace.processors.redact;

import io.llmtrace.processors.common.DeadLetterHeaders;
import io.llmtrace.processors.enrich.CostEnricher;
import io.llmtrace.processors.enrich.OutputValidator;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.RedactionSummary;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One raw span in, exactly one routed record out:
 *
 * <pre>
 * unreadable / cannot be redacted   → dead letters (original bytes + __streams.errors.* headers)
 * canary still present after redaction → quarantine (+ a PAGE redaction_failure event)
 * otherwise                         → redacted (redacted, enriched, with its RedactionSummary)
 * </pre>
 *
 * Canaries seen in the input are counted in the summary as detector {@value #CANARY_SEEN}: proof that
 * seeded test traffic flows through the stage. Logs name trace and span ids only, never content.
 */
public final class RedactionProcessor implements Processor<String, byte[], String, Object> {

  static final String CANARY_SEEN = "canary_seen";
  private static final Logger LOG = LoggerFactory.getLogger(RedactionProcessor.class);

  private final Deserializer<LlmSpan> deserializer;
  private final SpanScrubber scrubber;
  private final CostEnricher enricher;
  private final OutputValidator validator = new OutputValidator();
  private ProcessorContext<String, Object> context;

  RedactionProcessor(Deserializer<LlmSpan> deserializer, SpanScrubber scrubber, CostEnricher enricher) {
    this.deserializer = deserializer;
    this.scrubber = scrubber;
    this.enricher = enricher;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    LlmSpan span;
    LlmSpan redacted;
    Set<String> seen;
    try {
      span = deserializer.deserialize(source.topic(), record.headers(), record.value());
      if (span == null) {
        throw new IllegalArgumentException("a raw span record has no value");
      }
      seen = scrubber.canariesIn(span);
      redacted = scrubber.scrub(span);
      enricher.enrich(redacted);
      validator.validate(redacted);
    } catch (RuntimeException e) {
      context.forward(DeadLetterHeaders.letter(record, e, source), RedactionTopology.DEAD_LETTERS);
      return;
    }
    if (!seen.isEmpty()) {
      count(redacted, CANARY_SEEN, seen.size());
    }
    Set<String> leaked = scrubber.canariesIn(redacted);
    if (!leaked.isEmpty()) {
      LOG.error("redaction failed for trace {} span {}: {} canary value(s) survived; record quarantined",
          redacted.getTraceId(), redacted.getSpanId(), leaked.size());
      context.forward(record.withValue((Object) redacted), RedactionTopology.QUARANTINE);
      context.forward(new Record<String, Object>(redacted.getTenantId(), failureEvent(redacted, leaked.size()), record.timestamp()),
          RedactionTopology.EVENTS);
      return;
    }
    context.forward(record.withValue((Object) redacted), RedactionTopology.REDACTED);
  }

  private static void count(LlmSpan span, String detector, int n) {
    RedactionSummary summary = span.getRedaction() != null ? span.getRedaction()
        : RedactionSummary.newBuilder().setApplied(false).build();
    Map<String, Integer> counts = new HashMap<>(summary.getCountsByDetector());
    counts.merge(detector, n, Integer::sum);
    summary.setCountsByDetector(counts);
    span.setRedaction(summary);
  }

  /** The event the alerting stage pages on; it names where, never what leaked. */
  public static AlertEvent failureEvent(LlmSpan span, int leakedCanaries) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Map<String, String> group = new HashMap<>();
    group.put("tenant_id", span.getTenantId());
    if (span.getEnvironment() != null) {
      group.put("environment", span.getEnvironment());
    }
    if (span.getRedaction() != null && span.getRedaction().getPolicyVersion() != null) {
      group.put("policy_version", span.getRedaction().getPolicyVersion());
    }
    return AlertEvent.newBuilder()
        .setAlertId("redaction_failure:" + span.getTraceId() + ":" + span.getSpanId())
        .setRuleId("redaction_failure")
        .setRuleName("Redaction failure: a canary survived redaction")
        .setOwner("security")
        .setSeverity(AlertSeverity.PAGE)
        .setAction("Stop consumers of the quarantine topic from exporting, fix the redaction policy, replay the quarantined span")
        .setMetricName("canaries_after_redaction")
        .setGroupDimensions(group)
        .setMeasuredValue(leakedCanaries)
        .setThreshold(0)
        .setWindowStart(span.getStartTime())
        .setWindowEnd(span.getEndTime())
        .setExampleTraceIds(List.of(span.getTraceId()))
        .setFiredAt(now)
        .setState(AlertState.FIRING)
        .build();
  }
}

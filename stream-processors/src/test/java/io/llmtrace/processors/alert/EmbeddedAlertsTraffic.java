package io.llmtrace.processors.alert;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.testing.TestTraces;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Spans for the alert stage inside the metrics app: random traces over {@code minutes} minutes whose LLM spans
 * fail in the bad minutes (3 in 10: far above the rule's 5%, in any one partition's share of a minute too, so
 * when the partitions' windows arrive does not change what fires) and never otherwise, and a few severe policy
 * violations. The rules: a one-minute error-rate rule by model, and the bundled immediate rule.
 */
final class EmbeddedAlertsTraffic {

  static final String RULES = """
      rules:
        - name: llm_error_spike
          description: LLM error rate above 5% in a minute
          metric: error_rate
          scope: {kind: LLM}
          comparator: ">"
          threshold: 0.05
          window: 1m
          min_volume: 1
          group_by: [model]
          severity: page
          owner: platform-engineering
          runbook: docs/RUNBOOKS.md#provider_error_rate
          action: Check the provider's status page
        - name: severe_policy_violation
          description: A severe policy violation in production
          metric: severe_policy_violation
          scope: {environment: production}
          group_by: [feature, span_name]
          severity: page
          owner: trust-and-safety
          runbook: docs/RUNBOOKS.md#severe_policy_violation
          action: Read the trace
          keep_firing_for: 30m
      """;

  private EmbeddedAlertsTraffic() {}

  static List<AlertRule> rules() {
    return AlertRules.parse(new ByteArrayInputStream(RULES.getBytes(StandardCharsets.UTF_8)), "test rules");
  }

  /** Bad minutes after the traffic's start: 2..4 and 8..9 of every 12. */
  static boolean bad(int minute) {
    int m = minute % 12;
    return m >= 2 && m < 5 || m >= 8 && m < 10;
  }

  /** {@code tracesPerMinute} traces a minute from {@code t0}, in start order; the policy checks of every 97th trace severe. */
  static List<LlmSpan> spans(Instant t0, int minutes, int tracesPerMinute, long seed) {
    Random random = new Random(seed);
    List<LlmSpan> all = new ArrayList<>();
    long gapMs = Duration.ofMinutes(1).toMillis() / tracesPerMinute;
    for (int m = 0; m < minutes; m++) {
      for (int t = 0; t < tracesPerMinute; t++) {
        int n = m * tracesPerMinute + t;
        Instant start = t0.plus(Duration.ofMinutes(m)).plusMillis(t * gapMs);
        for (LlmSpan span : TestTraces.random(random, String.format("%032x", 0xa1e70000L + n), start)) {
          all.add(shaped(span, t0, random, n % 97 == 0));
        }
      }
    }
    all.sort(Comparator.comparing(LlmSpan::getStartTime));
    return all;
  }

  /** Fails an LLM span by its own start's minute after {@code t0} (a trace starting late in a minute may end in the next). */
  private static LlmSpan shaped(LlmSpan span, Instant t0, Random random, boolean severe) {
    int minute = (int) Duration.between(t0, span.getStartTime()).toMinutes();
    LlmSpan.Builder b = LlmSpan.newBuilder(span);
    if (span.getKind() == SpanKind.LLM) {
      boolean fails = bad(minute) && random.nextInt(10) < 3;
      b.setStatus(fails ? SpanStatus.ERROR : SpanStatus.OK).setErrorType(fails ? "provider_error" : null).setTimedOut(false);
    } else if (span.getKind() == SpanKind.POLICY_CHECK) {
      b.setStatus(severe ? SpanStatus.ERROR : SpanStatus.OK).setPolicySeverity(severe ? "critical" : null);
    }
    return b.build();
  }
}

package io.llmtrace.processors.alert.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.schemas.testing.TestSpans;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertmanagerMappingTest {

  private static final Instant NOW = Instant.parse("2026-06-04T14:20:00Z");

  private static AlertEvent firing() {
    return AlertEvent.newBuilder(TestRecords.alertEvent())
        .setState(AlertState.FIRING)
        .setStartedAt(Instant.parse("2026-06-04T14:05:00Z"))
        .setComparator(">")
        .setEvaluationWindow("10m")
        .setVolume(1_200)
        .setRuleKind("threshold")
        .setBaseline(null)
        .setBaselineValue(null)
        .setResolvedAt(null)
        .setRelease(null)
        .setSummary(null)
        .setNotification(0)
        .build();
  }

  @Test
  void labelsAreRuleSeverityOwnerEpisodeAndTheGroup() {
    assertThat(AlertmanagerMapping.labels(firing())).containsExactly(
        entry("alertname", "p95-latency-critical-workflow"),
        entry("severity", "page"),
        entry("owner", "team-support-ai"),
        entry("episode", "alert-p95-support-20260604T1415"),
        entry("feature_name", "support_chatbot"),
        entry("tenant_id", TestSpans.TENANT_ID));
  }

  @Test
  void annotationsCarryRunbookActionTraceIdsAndTheNumbers() {
    Map<String, String> annotations = AlertmanagerMapping.annotations(firing());

    assertThat(annotations).contains(
        entry("runbook_url", "https://runbooks.example.com/llm/p95-latency"),
        entry("action", "Check provider status, then the slowest span of the example traces."),
        entry("example_trace_ids", TestSpans.TRACE_ID + "," + TestSpans.traceId(2)),
        entry("rule_name", "p95 latency above 8 s for 10 minutes"),
        entry("rule_kind", "threshold"),
        entry("metric", "llm.latency_ms"),
        entry("observed_value", "8400"),
        entry("threshold", "8000"),
        entry("comparator", ">"),
        entry("evaluation_window", "10m"),
        entry("volume", "1200"),
        entry("window_start", "2026-06-04T14:10:00Z"),
        entry("window_end", "2026-06-04T14:15:00Z"),
        entry("notification", "0"));
    // no summary on the event: one is made from what it has
    assertThat(annotations.get("summary"))
        .isEqualTo("p95 latency above 8 s for 10 minutes: llm.latency_ms 8400 > 8000 for feature_name=support_chatbot, tenant_id=" + TestSpans.TENANT_ID);
    assertThat(annotations.get("description")).isEqualTo("Observed 8400 (llm.latency_ms), threshold > 8000 over 10m, 1200 observations, "
        + "window 2026-06-04T14:10:00Z to 2026-06-04T14:15:00Z.");
    assertThat(annotations).doesNotContainKeys("baseline", "baseline_value", "release");
  }

  @Test
  void theEventsSummaryAndBaselineWinWhenPresent() {
    AlertEvent event = AlertEvent.newBuilder(firing()).setSummary("p95 8.4 s > 8 s for support_chatbot").setBaseline("prior_7d_mean")
        .setBaselineValue(5_100.5).setRelease("app_version=2026.06.2").setOwner(null).build();

    Map<String, String> annotations = AlertmanagerMapping.annotations(event);

    assertThat(annotations).contains(entry("summary", "p95 8.4 s > 8 s for support_chatbot"), entry("baseline", "prior_7d_mean"),
        entry("baseline_value", "5100.5"), entry("release", "app_version=2026.06.2"));
    assertThat(annotations.get("description")).contains("of the baseline prior_7d_mean 5100.5").endsWith(", release app_version=2026.06.2.");
    assertThat(AlertmanagerMapping.labels(event)).doesNotContainKey("owner");
  }

  @Test
  void dimensionNamesBecomeLabelNamesWithoutLosingOrOverwritingAny() {
    Map<String, String> dimensions = new HashMap<>();
    dimensions.put("customer.tier", "gold");
    dimensions.put("customer_tier", "silver");
    dimensions.put("severity", "low");
    dimensions.put("9lives", "x");
    dimensions.put("__meta", "m");
    dimensions.put("empty", "");
    AlertEvent event = AlertEvent.newBuilder(firing()).setSeverity(AlertSeverity.WARNING).setGroupDimensions(dimensions).build();

    Map<String, String> labels = AlertmanagerMapping.labels(event);

    assertThat(labels).containsOnly(
        entry("alertname", "p95-latency-critical-workflow"),
        entry("severity", "warning"),
        entry("owner", "team-support-ai"),
        entry("episode", "alert-p95-support-20260604T1415"),
        entry("_9lives", "x"),
        entry("group_meta", "m"),
        entry("customer_tier", "gold"),
        entry("group_customer_tier", "silver"),
        entry("group_severity", "low"));
    assertThat(labels.keySet()).allMatch(name -> name.matches("[a-zA-Z_][a-zA-Z0-9_]*") && !name.startsWith("__"));
  }

  @Test
  void labelNames() {
    assertThat(AlertmanagerMapping.labelName("tenant_id")).isEqualTo("tenant_id");
    assertThat(AlertmanagerMapping.labelName("gen_ai.request.model")).isEqualTo("gen_ai_request_model");
    assertThat(AlertmanagerMapping.labelName("3d")).isEqualTo("_3d");
    assertThat(AlertmanagerMapping.labelName("zoë")).isEqualTo("zo_");
    assertThat(AlertmanagerMapping.labelName("__name__")).isEqualTo("group_name__");
    assertThat(AlertmanagerMapping.labelName("")).isEqualTo("group_");
  }

  @Test
  void firingStartsWhenTheConditionStartedAndEndsWhenToldAsJson() throws Exception {
    AlertEvent event = firing();
    PostableAlert alert = AlertmanagerMapping.firing(event, AlertmanagerMapping.labels(event), NOW.plusSeconds(240));

    JsonNode json = new ObjectMapper().readTree(AlertmanagerClient.body(List.of(alert)));

    assertThat(json.isArray()).isTrue();
    assertThat(json).hasSize(1);
    JsonNode first = json.get(0);
    assertThat(first.get("startsAt").asText()).isEqualTo("2026-06-04T14:05:00Z");
    assertThat(first.get("endsAt").asText()).isEqualTo("2026-06-04T14:24:00Z");
    assertThat(first.get("labels").get("episode").asText()).isEqualTo("alert-p95-support-20260604T1415");
    assertThat(first.get("annotations").get("runbook_url").asText()).isEqualTo("https://runbooks.example.com/llm/p95-latency");
    assertThat(first.properties()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("labels", "annotations", "startsAt", "endsAt");
  }

  @Test
  void withoutAStartTimeAnEpisodeStartsWhenItFired() {
    AlertEvent event = AlertEvent.newBuilder(firing()).setStartedAt(null).build();

    assertThat(AlertmanagerMapping.startsAt(event)).isEqualTo(event.getFiredAt());
  }

  @Test
  void resolvedEndsWhenTheEpisodeEndedButNeverInTheFutureNorBeforeItStarted() {
    AlertEvent resolved = AlertEvent.newBuilder(firing()).setState(AlertState.RESOLVED)
        .setResolvedAt(Instant.parse("2026-06-04T14:18:00Z")).build();
    Map<String, String> labels = AlertmanagerMapping.labels(resolved);

    assertThat(AlertmanagerMapping.resolved(resolved, labels, NOW).endsAt()).isEqualTo(Instant.parse("2026-06-04T14:18:00Z"));
    assertThat(AlertmanagerMapping.resolved(resolved, labels, NOW).resolvedAt(NOW)).isTrue();
    assertThat(AlertmanagerMapping.resolved(resolved, labels, Instant.parse("2026-06-04T14:17:00Z")).endsAt())
        .as("event time ahead of this clock").isEqualTo(Instant.parse("2026-06-04T14:17:00Z"));
    AlertEvent endedBeforeStart = AlertEvent.newBuilder(resolved).setResolvedAt(Instant.parse("2026-06-04T14:00:00Z")).build();
    assertThat(AlertmanagerMapping.resolved(endedBeforeStart, labels, NOW).endsAt()).isEqualTo(Instant.parse("2026-06-04T14:05:00Z"));
    AlertEvent noResolvedAt = AlertEvent.newBuilder(resolved).setResolvedAt(null).build();
    assertThat(AlertmanagerMapping.resolved(noResolvedAt, labels, NOW).endsAt()).isEqualTo(resolved.getFiredAt());
  }

  @Test
  void numbersAsPeopleWriteThem() {
    assertThat(AlertmanagerMapping.number(8400.0)).isEqualTo("8400");
    assertThat(AlertmanagerMapping.number(0.25)).isEqualTo("0.25");
    assertThat(AlertmanagerMapping.number(1.0E-7)).isEqualTo("0.0000001");
    assertThat(AlertmanagerMapping.number(-3.5)).isEqualTo("-3.5");
    assertThat(AlertmanagerMapping.number(0.0)).isEqualTo("0");
    assertThat(AlertmanagerMapping.number(Double.NaN)).isEqualTo("NaN");
    assertThat(AlertmanagerMapping.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
  }
}

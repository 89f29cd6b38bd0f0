package io.llmtrace.processors.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.aggregate.MetricsApp;
import io.llmtrace.processors.aggregate.MetricsConfig;
import io.llmtrace.processors.aggregate.MetricsMeters;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.processors.common.TopologyFixture;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;

/**
 * The alert stage inside the metrics application ({@code llmtrace.metrics.evaluate-alerts}) publishes what the
 * alert application publishes from the same windows: the spans go through the combined topology minute by
 * minute; the windows it published at each step, and the severe spans, go through the alert application's own
 * topology ({@link AlertDriver}) in the same steps; the two event streams are equal, event for event.
 */
class EmbeddedAlertsTest {

  private static final TopicNames NAMES = TopicNames.defaults();
  private static final Instant T0 = AlertDriver.T0;

  @Test
  void theMetricsAppEvaluatingRulesPublishesWhatTheAlertAppPublishesFromItsWindows() {
    List<AlertRule> rules = EmbeddedAlertsTraffic.rules();
    Instant from = T0.minus(Duration.ofMinutes(30));
    List<LlmSpan> spans = EmbeddedAlertsTraffic.spans(from, 11, 20, 7);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AlertConfig.Evaluation evaluation = new AlertConfig.Evaluation(rules, "test rules", Duration.ofSeconds(1), List.of("customer_tier"));
    List<String> combined = new ArrayList<>();
    List<String> oracle = new ArrayList<>();
    List<MetricWindow> published = new ArrayList<>();
    try (TopologyFixture fixture = TopologyFixture.start("metrics-alerts-test", NAMES, topics -> MetricsApp.withAlerts(topics,
        MetricsConfig.Windows.defaults(), new MetricsMeters(meters), evaluation, new AlertMeters(meters)), T0);
        AlertDriver alone = new AlertDriver(rules)) {
      TestInputTopic<String, byte[]> in = fixture.driver.createInputTopic(NAMES.redacted(), new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, MetricWindow> windows = fixture.driver.createOutputTopic(NAMES.metrics(), new StringDeserializer(),
          fixture.topics.metrics().valueDeserializer());
      TestOutputTopic<String, AlertEvent> alerts = fixture.driver.createOutputTopic(NAMES.alerts(), new StringDeserializer(),
          fixture.topics.alerts().valueDeserializer());
      List<List<LlmSpan>> steps = new ArrayList<>();
      for (LlmSpan span : spans) {
        int minute = (int) Duration.between(from, span.getStartTime()).toMinutes();
        while (steps.size() <= minute) {
          steps.add(new ArrayList<>());
        }
        steps.get(minute).add(span);
      }
      // one span 3 minutes after the last closes the last windows (grace 2 minutes)
      LlmSpan last = spans.get(spans.size() - 1);
      Instant later = last.getStartTime().plus(Duration.ofMinutes(3));
      steps.add(List.of(LlmSpan.newBuilder(last).setTraceId("f".repeat(32)).setStartTime(later).setEndTime(later).build()));
      for (List<LlmSpan> step : steps) {
        for (LlmSpan span : step) {
          in.pipeInput(span.getTraceId(), fixture.topics.redacted().valueSerializer().serialize(NAMES.redacted(), span), span.getEndTime());
        }
        // a window closed by the metrics stage's wall-clock punctuation is evaluated at the alert stage's next one
        fixture.driver.advanceWallClockTime(Duration.ofSeconds(1));
        fixture.driver.advanceWallClockTime(Duration.ofSeconds(1));
        alerts.readValuesToList().forEach(e -> combined.add(describe(e)));
        List<MetricWindow> closed = windows.readValuesToList();
        published.addAll(closed);
        step.stream().filter(AlertRouter::severe).forEach(alone::pipe);
        alone.minute(closed).forEach(e -> oracle.add(describe(e)));
        alone.tick(Duration.ofSeconds(1)).forEach(e -> oracle.add(describe(e)));
      }
    }
    assertThat(published).as("windows published").hasSizeGreaterThan(30);
    assertThat(oracle).filteredOn(e -> e.startsWith("llm_error_spike:") && e.contains(" FIRING ")).hasSizeGreaterThanOrEqualTo(4);
    assertThat(oracle).filteredOn(e -> e.startsWith("llm_error_spike:") && e.contains(" RESOLVED ")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(oracle).filteredOn(e -> e.startsWith("severe_policy_violation:") && e.contains(" FIRING ")).isNotEmpty();
    assertThat(combined).isEqualTo(oracle);
  }

  static String describe(AlertEvent e) {
    return e.getAlertId() + " " + e.getState() + " " + e.getWindowEnd() + " " + e.getMeasuredValue() + " " + e.getVolume() + " "
        + e.getExampleTraceIds() + (e.getState() == AlertState.RESOLVED ? " resolved " + e.getResolvedAt() : "");
  }
}

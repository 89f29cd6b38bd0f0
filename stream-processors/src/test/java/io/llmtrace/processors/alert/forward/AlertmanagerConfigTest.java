package io.llmtrace.processors.alert.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.schemas.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertmanagerConfigTest {

  private static AlertmanagerForwarderConfig config(Map<String, String> values) {
    Map<String, String> all = new HashMap<>(Map.of("llmtrace.alertmanager.url", "http://am-0:9093"));
    all.putAll(values);
    return AlertmanagerForwarderConfig.from(Settings.of(all));
  }

  @Test
  void defaults() {
    AlertmanagerForwarderConfig config = config(Map.of());

    assertThat(config.topic()).isEqualTo("llm.alerts");
    assertThat(config.groupId()).isEqualTo("llmtrace-alertmanager-forwarder");
    assertThat(config.adminPort()).isEqualTo(9469);
    assertThat(config.resendInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.lookBack()).isEqualTo(Duration.ofDays(7));
    assertThat(config.alertmanagers()).containsExactly(URI.create("http://am-0:9093"));
  }

  @Test
  void severalAlertmanagersTopicAndConsumerOverrides() {
    AlertmanagerForwarderConfig config = config(Map.of(
        "llmtrace.alertmanager.url", " http://am-0:9093/ , https://am-1.example:9093/prefix ",
        "llmtrace.topics.alerts", "staging.llm.alerts",
        "llmtrace.alertmanager.resend-interval", "30s",
        "llmtrace.alertmanager.consumer.max.poll.records", "10",
        "llmtrace.alertmanager.consumer.isolation.level", "read_uncommitted"));

    assertThat(config.alertmanagers()).containsExactly(URI.create("http://am-0:9093/"), URI.create("https://am-1.example:9093/prefix"));
    assertThat(config.topic()).isEqualTo("staging.llm.alerts");
    assertThat(config.resendInterval()).isEqualTo(Duration.ofSeconds(30));
    Map<String, Object> consumer = AlertmanagerForwarder.consumerProperties(config);
    assertThat(consumer).containsEntry("max.poll.records", "10")
        .as("delivery depends on these").containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", false);
  }

  @Test
  void badValuesNameTheKeyAndTheValue() {
    assertThatThrownBy(() -> AlertmanagerForwarderConfig.from(Settings.of(Map.of())))
        .hasMessageContaining("llmtrace.alertmanager.url").hasMessageContaining("LLMTRACE_ALERTMANAGER_URL");
    assertThatThrownBy(() -> config(Map.of("llmtrace.alertmanager.url", "am-0:9093")))
        .hasMessageContaining("llmtrace.alertmanager.url").hasMessageContaining("'am-0:9093'");
    assertThatThrownBy(() -> config(Map.of("llmtrace.alertmanager.url", " , ")))
        .hasMessageContaining("llmtrace.alertmanager.url").hasMessageContaining("at least one");
    assertThatThrownBy(() -> config(Map.of("llmtrace.alertmanager.resend-interval", "0s")))
        .hasMessageContaining("llmtrace.alertmanager.resend-interval").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> config(Map.of("llmtrace.alertmanager.look-back", "30s")))
        .hasMessageContaining("llmtrace.alertmanager.look-back").hasMessageContaining("longer than the resend interval");
    assertThatThrownBy(() -> config(Map.of("llmtrace.alertmanager.retry-backoff-max", "100ms")))
        .hasMessageContaining("llmtrace.alertmanager.retry-backoff-max");
    assertThatThrownBy(() -> config(Map.of("llmtrace.alertmanager.admin.port", "70000")))
        .hasMessageContaining("llmtrace.alertmanager.admin.port").hasMessageContaining("70000");
  }
}

package io.llmtrace.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertmanagerRoutingTest {

  @Test
  void routesEveryAlertToTheWebhookGroupedByEpisodeWithResolvedNotifications() {
    String yaml = AlertmanagerServer.Routing.toWebhook(URI.create("http://127.0.0.1:4711/hook?team=a%20b")).yaml();

    assertThat(yaml).isEqualTo("""
        route:
          receiver: "webhook"
          group_by: ["alertname", "episode"]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 14400s
        receivers:
          - name: "webhook"
            webhook_configs:
              - url: "http://127.0.0.1:4711/hook?team=a%20b"
                send_resolved: true
        """);
  }

  @Test
  void groupTimingsAreWholeSeconds() {
    URI hook = URI.create("http://127.0.0.1:4711/hook");
    assertThatThrownBy(() -> new AlertmanagerServer.Routing(hook, List.of("alertname"), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofHours(1))).hasMessageContaining("PT0.5S");
    assertThatThrownBy(() -> new AlertmanagerServer.Routing(hook, List.of("alertname"), Duration.ofSeconds(1), Duration.ZERO,
        Duration.ofHours(1))).hasMessageContaining("PT0S");
  }
}

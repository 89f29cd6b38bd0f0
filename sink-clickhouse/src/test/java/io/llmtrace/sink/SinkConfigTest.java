package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.schemas.config.Settings;
import io.llmtrace.sink.config.SinkConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkConfigTest {

  @Test
  void defaultsAimAtAboutOneLargeInsertPerSecondPerPartition() {
    SinkConfig config = SinkConfig.from(Settings.of(Map.of()));
    assertThat(config.batching().maxAge()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.batching().maxRows()).isEqualTo(100_000);
    assertThat(config.clickhouse().textTtl()).isEqualTo(Duration.ofDays(30));
    assertThat(config.clickhouse().rowTtl()).isEqualTo(Duration.ofDays(90));
    assertThat(config.spansTopic()).isEqualTo("llm.spans.redacted");
    assertThat(config.tracesTopic()).isEqualTo("llm.traces");
    assertThat(config.metricsTopic()).isEqualTo("llm.metrics");
    assertThat(config.alertsTopic()).isEqualTo("llm.alerts");
    assertThat(config.releasesTopic()).isEqualTo("llm.releases");
    assertThat(config.reviewTopic()).isEqualTo("llm.review");
    assertThat(config.clickhouse().cluster()).isNull();
  }

  @Test
  void nonsenseIsRefusedWithTheKeyAndTheValue() {
    assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("llmtrace.clickhouse.database", "x; DROP"))))
        .hasMessageContaining("llmtrace.clickhouse.database").hasMessageContaining("x; DROP");
    assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("llmtrace.sink.batch.max-rows", "0"))))
        .hasMessageContaining("llmtrace.sink.batch.max-rows");
    assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("llmtrace.clickhouse.row-ttl", "2h"))))
        .hasMessageContaining("TTLs are whole days");
    assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("llmtrace.sink.batch.max-bytes", "512MB"))))
        .hasMessageContaining("buffer.max-bytes >= batch.max-bytes");
    assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("llmtrace.topics.traces", "llm.spans.redacted"))))
        .hasMessageContaining("llmtrace.topics.traces").hasMessageContaining("'llm.spans.redacted'");
    assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("llmtrace.topics.metrics", "llm.traces"))))
        .hasMessageContaining("llmtrace.topics.metrics").hasMessageContaining("'llm.traces'");
    assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("llmtrace.topics.review", "llm.alerts"))))
        .hasMessage("llmtrace.topics.review must differ from llmtrace.topics.alerts, both are 'llm.alerts'");
  }
}

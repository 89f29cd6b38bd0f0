package io.llmtrace.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  @Test
  void systemPropertiesBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gateway.properties");
    Files.writeString(file, "llmtrace.kafka.bootstrap=file:9092\nllmtrace.gateway.port=1111\nllmtrace.topics.raw=from-file\n");
    Properties system = new Properties();
    system.setProperty("llmtrace.config.file", file.toString());
    system.setProperty("llmtrace.kafka.bootstrap", "sysprop:9092");
    Settings settings = Settings.from(Map.of("LLMTRACE_KAFKA_BOOTSTRAP", "env:9092", "LLMTRACE_GATEWAY_PORT", "2222"), system);

    assertThat(settings.string("llmtrace.kafka.bootstrap", "default")).isEqualTo("sysprop:9092");
    assertThat(settings.integer("llmtrace.gateway.port", 4318, 1, 65535)).isEqualTo(2222);
    assertThat(settings.string("llmtrace.topics.raw", "llm.spans.raw")).isEqualTo("from-file");
    assertThat(settings.string("llmtrace.topics.redacted", "llm.spans.redacted")).isEqualTo("llm.spans.redacted");
  }

  @Test
  void invalidValuesNameKeyAndValue() {
    Settings settings = Settings.of(Map.of("llmtrace.gateway.port", "80a", "llmtrace.gateway.max-body", "lots",
        "llmtrace.gateway.timeout", "soon", "llmtrace.flag", "maybe"));
    assertThatThrownBy(() -> settings.integer("llmtrace.gateway.port", 1, 1, 65535))
        .hasMessage("invalid setting llmtrace.gateway.port = '80a': expected an integer between 1 and 65535");
    assertThatThrownBy(() -> settings.bytes("llmtrace.gateway.max-body", 1)).hasMessageContaining("'lots'");
    assertThatThrownBy(() -> settings.duration("llmtrace.gateway.timeout", Duration.ZERO)).hasMessageContaining("'soon'");
    assertThatThrownBy(() -> settings.bool("llmtrace.flag", false)).hasMessageContaining("llmtrace.flag");
    assertThatThrownBy(() -> settings.required("llmtrace.kafka.bootstrap")).hasMessageContaining("LLMTRACE_KAFKA_BOOTSTRAP");
  }

  @Test
  void parsesSizesDurationsAndPrefixedOverrides() {
    Settings settings = Settings.of(Map.of("llmtrace.a", "8MB", "llmtrace.b", "250ms", "llmtrace.c", "5s",
        "llmtrace.d", "30d", "llmtrace.e", "6h",
        "llmtrace.kafka.producer.linger.ms", "5", "llmtrace.kafka.producer.compression.type", "zstd"));
    assertThat(settings.bytes("llmtrace.a", 1)).isEqualTo(8L * 1024 * 1024);
    assertThat(settings.duration("llmtrace.b", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.duration("llmtrace.c", Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.duration("llmtrace.d", Duration.ZERO)).isEqualTo(Duration.ofDays(30));
    assertThat(settings.duration("llmtrace.e", Duration.ZERO)).isEqualTo(Duration.ofHours(6));
    assertThat(settings.withPrefix("llmtrace.kafka.producer.")).containsExactly(
        Map.entry("compression.type", "zstd"), Map.entry("linger.ms", "5"));
  }
}

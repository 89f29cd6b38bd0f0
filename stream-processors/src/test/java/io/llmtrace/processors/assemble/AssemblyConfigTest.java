package io.llmtrace.processors.assemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.schemas.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssemblyConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    AssemblyConfig config = AssemblyConfig.from(Settings.of(Map.of()));

    assertThat(config.timing()).isEqualTo(AssemblyConfig.Timing.defaults());
    assertThat(config.timing().gap()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.timing().maxDuration()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.timing().retention()).isEqualTo(Duration.ofHours(1));
    assertThat(config.limits().maxSpans()).isEqualTo(1_000);
    assertThat(config.streams().applicationId()).isEqualTo("llmtrace-assembly");
    assertThat(config.streams().adminPort()).isEqualTo(AssemblyConfig.DEFAULT_ADMIN_PORT);
    assertThat(config.topics().traces()).isEqualTo("llm.traces");
  }

  @Test
  void settingsOverrideTheDefaults() {
    AssemblyConfig config = AssemblyConfig.from(Settings.of(Map.of("llmtrace.assembly.inactivity-gap", "5s",
        "llmtrace.assembly.max-duration", "2m", "llmtrace.assembly.max-spans", "200")));

    assertThat(config.timing().gap()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.timing().maxDuration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.limits().maxSpans()).isEqualTo(200);
  }

  @Test
  void invalidValuesFailNamingKeyAndValue() {
    assertThatThrownBy(() -> AssemblyConfig.from(Settings.of(Map.of("llmtrace.assembly.inactivity-gap", "soon"))))
        .hasMessageContaining("llmtrace.assembly.inactivity-gap").hasMessageContaining("soon");
    assertThatThrownBy(() -> AssemblyConfig.from(Settings.of(Map.of("llmtrace.assembly.max-duration", "10s"))))
        .hasMessageContaining("llmtrace.assembly.max-duration = PT10S").hasMessageContaining("at least the inactivity gap");
    assertThatThrownBy(() -> AssemblyConfig.from(Settings.of(Map.of("llmtrace.assembly.max-spans", "0"))))
        .hasMessageContaining("llmtrace.assembly.max-spans");
    assertThatThrownBy(() -> AssemblyConfig.from(Settings.of(Map.of("llmtrace.assembly.punctuate-interval", "1m"))))
        .hasMessageContaining("llmtrace.assembly.punctuate-interval");
  }
}

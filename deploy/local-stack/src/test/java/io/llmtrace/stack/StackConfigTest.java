package io.llmtrace.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StackConfigTest {

  @AfterEach
  void clear() {
    System.clearProperty("llmtrace.stack.kafka.port");
    System.clearProperty("llmtrace.stack.workdir");
  }

  @Test
  void zeroPortsBecomeDistinctFreePorts() {
    StackConfig config = StackConfig.forTests(Path.of("target", "x"));
    assertThat(config.kafkaPort()).isPositive();
    assertThat(java.util.Set.of(config.kafkaPort(), config.controllerPort(), config.registryPort(), config.clickhousePort())).hasSize(4);
    assertThat(config.workDir()).isAbsolute();
  }

  @Test
  void systemPropertiesOverrideDefaults() {
    System.setProperty("llmtrace.stack.kafka.port", "19092");
    System.setProperty("llmtrace.stack.workdir", "/tmp/elsewhere");
    StackConfig config = StackConfig.forLocalRun(Path.of("ignored"));
    assertThat(config.kafkaPort()).isEqualTo(19092);
    assertThat(config.registryPort()).isEqualTo(StackConfig.DEFAULT_REGISTRY_PORT);
    assertThat(config.workDir()).isEqualTo(Path.of("/tmp/elsewhere"));
  }

  @Test
  void invalidPortNamesKeyAndValue() {
    System.setProperty("llmtrace.stack.kafka.port", "90921");
    assertThatThrownBy(() -> StackConfig.forLocalRun(Path.of("x")))
        .hasMessageContaining("llmtrace.stack.kafka.port").hasMessageContaining("'90921'");
  }
}

package io.llmtrace.processors.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.schemas.config.Settings;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

  @Test
  void exactlyOnceV2AndTheDefaultsUnlessOverridden() {
    Properties props = StreamsSettings.from(Settings.of(Map.of(
        "llmtrace.streams.num.stream.threads", "2", "llmtrace.streams.commit.interval.ms", "50")), "assembly", 9466).streamsProperties();

    assertThat(props).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "llmtrace-assembly")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, StreamsSettings.DEFAULT_BOOTSTRAP)
        .containsEntry("num.stream.threads", "2")
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50");
  }

  @Test
  void anotherProcessingGuaranteeIsRefusedNamingKeyAndValue() {
    assertThatThrownBy(() -> StreamsSettings.from(Settings.of(Map.of("llmtrace.streams.processing.guarantee", "at_least_once")),
        "redaction", 9465))
        .hasMessageContaining("llmtrace.streams.processing.guarantee = at_least_once");
  }

  @Test
  void aBadAdminPortNamesItsKey() {
    assertThatThrownBy(() -> StreamsSettings.from(Settings.of(Map.of("llmtrace.assembly.admin.port", "70000")), "assembly", 9466))
        .hasMessageContaining("llmtrace.assembly.admin.port").hasMessageContaining("70000");
  }

  @Test
  void topicNamesHaveOneDefaultEachAndFollowTheirSettings() {
    TopicNames names = TopicNames.from(Settings.of(Map.of("llmtrace.topics.traces", "prod.llm.traces")));

    assertThat(names.traces()).isEqualTo("prod.llm.traces");
    assertThat(names.redacted()).isEqualTo(TopicNames.DEFAULT_REDACTED);
    assertThat(TopicNames.defaults().prefixed("t1.").raw()).isEqualTo("t1.llm.spans.raw");
  }

  @Test
  void aNamedConfigFileThatIsMissingStopsTheStart() {
    assertThatThrownBy(() -> ConfigFiles.optional(Settings.of(Map.of("llmtrace.redaction.policy-file", "/nonexistent/policy.yaml")),
        "llmtrace.redaction.policy-file"))
        .hasMessage("llmtrace.redaction.policy-file = /nonexistent/policy.yaml: no such file");
    assertThat(ConfigFiles.optional(Settings.of(Map.of()), "llmtrace.redaction.policy-file")).isEmpty();
  }
}

package io.llmtrace.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Reading serde settings from Kafka-style config maps, and rejecting nonsense at start-up. */
class AvroSerdeConfigTest {

  @Test
  void defaultsFollowConfluent() {
    AvroSerdeConfig config = AvroSerdeConfig.from(Map.of("schema.registry.url", "http://a:8081, http://b:8081"));

    assertThat(config.registryUrls()).containsExactly("http://a:8081", "http://b:8081");
    assertThat(config.autoRegisterSchemas()).isTrue();
    assertThat(config.useLatestVersion()).isFalse();
    assertThat(config.basicAuthUserInfo()).isNull();
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void readsTypedAndStringValues() {
    AvroSerdeConfig config =
        AvroSerdeConfig.from(
            Map.of(
                "schema.registry.url", List.of("http://a:8081/apis/ccompat/v7"),
                "auto.register.schemas", "false",
                "use.latest.version", true,
                "schema.registry.basic.auth.user.info", "svc:pw",
                "schema.registry.request.timeout.ms", "2500",
                "schema.registry.connect.timeout.ms", 750));

    assertThat(config.registryUrls()).containsExactly("http://a:8081/apis/ccompat/v7");
    assertThat(config.autoRegisterSchemas()).isFalse();
    assertThat(config.useLatestVersion()).isTrue();
    assertThat(config.basicAuthUserInfo()).isEqualTo("svc:pw");
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(750));
  }

  @Test
  void invalidValuesNameKeyAndValue() {
    assertThatThrownBy(() -> AvroSerdeConfig.from(Map.of("schema.registry.url", "http://a", "auto.register.schemas", "yes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auto.register.schemas")
        .hasMessageContaining("yes");
    assertThatThrownBy(() -> AvroSerdeConfig.from(Map.of("schema.registry.url", "http://a", "schema.registry.request.timeout.ms", "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.request.timeout.ms")
        .hasMessageContaining("soon");
    assertThatThrownBy(() -> AvroSerdeConfig.from(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void useLatestVersionWithAutoRegisterIsRejected() {
    assertThatThrownBy(() -> AvroSerdeConfig.from(Map.of("schema.registry.url", "http://a", "use.latest.version", "true")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("use.latest.version")
        .hasMessageContaining("requires auto.register.schemas=false");
  }

  @Test
  void credentialsNeverAppearInMessagesOrToString() {
    AvroSerdeConfig config =
        AvroSerdeConfig.from(Map.of("schema.registry.url", "http://a", "basic.auth.user.info", "svc:s3cret"));

    assertThat(config.toString()).doesNotContain("s3cret").contains("[hidden]");
    assertThatThrownBy(() -> AvroSerdeConfig.from(Map.of("schema.registry.url", "http://a", "basic.auth.user.info", "s3cret")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("basic.auth.user.info")
        .message().doesNotContain("s3cret");
  }
}

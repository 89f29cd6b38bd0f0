package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionPolicyTest {

  static final Map<String, String> ENV = Map.of("LLMTRACE_REDACTION_HASH_KEY", "test-key-0123456789abcdef");

  static RedactionPolicy parse(String yaml) {
    return RedactionPolicy.parse(yaml, "policy.yaml", ENV::get);
  }

  @Test
  void defaultPolicyLoadsWithEveryBuiltInDetectorEnabled() {
    RedactionPolicy p = RedactionPolicy.loadDefault(ENV::get);
    assertThat(p.version()).isEqualTo("default-2026-06-01");
    assertThat(p.base().detectors()).extracting(Detector::name).containsAll(BuiltInDetectors.names()).contains("internal_account_id");
    assertThat(p.base().actionFor("email")).isEqualTo(Action.HASH);
    assertThat(p.base().actionFor("private_key")).isEqualTo(Action.DROP);
    assertThat(p.base().hashUserIds()).isTrue();
    assertThat(p.canaries()).contains("jane.canary@example.com");
    assertThat(p.rulesFor("acme-regulated").attributes().allowlistMode()).isTrue();
    assertThat(p.rulesFor("acme-regulated").actionFor("phone")).isEqualTo(Action.DROP);
    assertThat(p.rulesFor("someone-else")).isSameAs(p.base());
  }

  @Test
  void deployCopyIsIdenticalToTheBundledDefault() throws Exception {
    Path deploy = Path.of("..", "deploy", "config", "redaction-policy.yaml");
    Path bundled = Path.of("src", "main", "resources", "redaction-policy.default.yaml");
    assertThat(Files.readString(deploy, StandardCharsets.UTF_8)).isEqualTo(Files.readString(bundled, StandardCharsets.UTF_8));
  }

  @Test
  void tenantOverrideReplacesActionsAndKeepsTheRest() {
    RedactionPolicy p = parse("""
        version: v1
        detectors:
          email: mask
        tenants:
          acme:
            detectors:
              email: off
        """);
    assertThat(p.rulesFor("acme").actionFor("email")).isEqualTo(Action.OFF);
    assertThat(p.rulesFor("acme").detectors()).extracting(Detector::name).doesNotContain("email").contains("phone");
    assertThat(p.rulesFor("other").actionFor("email")).isEqualTo(Action.MASK);
  }

  @Test
  void unknownDetectorIsReportedWithItsLine() {
    assertThatThrownBy(() -> parse("""
        version: v1
        detectors:
          email: mask
          emali: mask
        """)).isInstanceOf(PolicyException.class).hasMessageStartingWith("policy.yaml:4: unknown detector 'emali'");
  }

  @Test
  void unknownActionIsReportedWithItsLine() {
    assertThatThrownBy(() -> parse("""
        version: v1
        detectors:
          email: scramble
        """)).hasMessageStartingWith("policy.yaml:3: unknown action 'scramble'");
  }

  @Test
  void badRegexIsReportedWithItsLine() {
    assertThatThrownBy(() -> parse("""
        version: v1
        custom_detectors:
          - name: order
            pattern: 'ORD-(\\d+'
            action: mask
        """)).hasMessageStartingWith("policy.yaml:4: bad regex 'ORD-(\\d+'");
  }

  @Test
  void badBlockedKeyRegexIsReportedWithItsLine() {
    assertThatThrownBy(() -> parse("""
        version: v1
        attributes:
          blocked_key_patterns:
            - '(?i).*pass'
            - '[unclosed'
        """)).hasMessageStartingWith("policy.yaml:5: bad regex '[unclosed'");
  }

  @Test
  void missingHashKeyIsReported() {
    assertThatThrownBy(() -> RedactionPolicy.parse("""
        version: v1
        hash_key_env: NOT_SET_ANYWHERE
        detectors:
          email: hash
        """, "policy.yaml", name -> null))
        .hasMessageStartingWith("policy.yaml:2: missing hash key")
        .hasMessageContaining("NOT_SET_ANYWHERE");
    assertThatThrownBy(() -> parse("""
        version: v1
        hash_user_ids: true
        """)).hasMessageStartingWith("policy.yaml:2: missing hash key");
  }

  @Test
  void unknownKeyMissingVersionAndMalformedYamlAreReported() {
    assertThatThrownBy(() -> parse("version: v1\ndetector:\n  email: mask\n"))
        .hasMessageStartingWith("policy.yaml:2: unknown key 'detector'");
    assertThatThrownBy(() -> parse("detectors:\n  email: mask\n"))
        .hasMessageContaining("missing required value 'version'");
    assertThatThrownBy(() -> parse("version: v1\ndetectors: [a\n"))
        .hasMessageStartingWith("policy.yaml:").hasMessageContaining("malformed YAML");
    assertThatThrownBy(() -> parse("version: v1\ntenants:\n  acme:\n    hash_user_ids: maybe\n"))
        .hasMessageStartingWith("policy.yaml:4: expected true or false");
  }
}

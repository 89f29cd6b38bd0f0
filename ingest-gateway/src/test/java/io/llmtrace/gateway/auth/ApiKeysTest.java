package io.llmtrace.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

  @Test
  void loadsHashedKeysAndResolvesPresentedKeys(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys.yaml");
    Files.writeString(file, """
        keys:
          - id: acme-prod
            sha256: %s
            tenant: acme
            project: support-bot
            environments: [production, staging]
            spans_per_second: 500
          - id: globex-any
            sha256: %s
            tenant: globex
        """.formatted(ApiKeys.sha256("secret-acme"), ApiKeys.sha256("secret-globex")));

    ApiKeys keys = ApiKeys.load(file);

    ApiKeys.Entry acme = keys.lookup("secret-acme").orElseThrow();
    assertThat(acme.principal().tenantId()).isEqualTo("acme");
    assertThat(acme.principal().projectId()).isEqualTo("support-bot");
    assertThat(acme.principal().environments()).isEqualTo(Set.of("production", "staging"));
    assertThat(acme.principal().defaultEnvironment()).isEqualTo("production");
    assertThat(acme.principal().mayWrite("staging")).isTrue();
    assertThat(acme.principal().mayWrite("dev")).isFalse();
    assertThat(acme.spansPerSecond()).isEqualTo(500);
    assertThat(keys.lookup("secret-globex").orElseThrow().principal().mayWrite("anything")).isTrue();
    assertThat(keys.lookup("secret-acme ")).isEmpty();
    assertThat(keys.lookup(ApiKeys.sha256("secret-acme"))).as("the hash itself is not a key").isEmpty();
  }

  @Test
  void invalidFilesNameTheEntryAndField(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys.yaml");
    Files.writeString(file, "keys:\n  - id: a\n    sha256: abc\n    tenant: t\n");
    assertThatThrownBy(() -> ApiKeys.load(file)).hasMessageContaining("keys[0].sha256 must be 64 hex characters");
    Files.writeString(file, "keys:\n  - id: a\n    sha256: " + ApiKeys.sha256("x") + "\n");
    assertThatThrownBy(() -> ApiKeys.load(file)).hasMessageContaining("keys[0].tenant is required");
    Files.writeString(file, "nokeys: true\n");
    assertThatThrownBy(() -> ApiKeys.load(file)).hasMessageContaining("top-level 'keys' list");
  }
}

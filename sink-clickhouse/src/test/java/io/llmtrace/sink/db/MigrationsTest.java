package io.llmtrace.sink.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.schemas.config.Settings;
import io.llmtrace.sink.config.SinkConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigrationsTest {

  @Test
  void splitsAtSemicolonsThatEndALineAndDropsCommentOnlyPieces() {
    String sql = """
        -- header comment;
        CREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Memory;
        -- a comment between statements
        CREATE VIEW v AS SELECT 1;
        -- trailing comment
        """;
    assertThat(Migrations.statements(sql)).containsExactly(
        "-- header comment;\nCREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Memory",
        "-- a comment between statements\nCREATE VIEW v AS SELECT 1");
  }

  @Test
  void everyShippedMigrationRendersWithoutUnknownPlaceholders() {
    SinkConfig.ClickHouse single = SinkConfig.from(Settings.of(Map.of())).clickhouse();
    SinkConfig.ClickHouse cluster = SinkConfig.from(Settings.of(Map.of("llmtrace.clickhouse.cluster", "prod",
        "llmtrace.clickhouse.row-ttl", "365d"))).clickhouse();
    for (Migrations.Migration migration : Migrations.load()) {
      String local = Migrations.render(migration.template(), Migrations.variables(single));
      String replicated = Migrations.render(migration.template(), Migrations.variables(cluster));
      assertThat(local).doesNotContain("{{", "ON CLUSTER", "Replicated");
      assertThat(replicated).contains("ON CLUSTER 'prod'").doesNotContain("non_replicated_deduplication_window");
      if (migration.template().contains("ENGINE")) {
        assertThat(replicated).contains("ENGINE = Replicated");
      }
      if (migration.name().equals("spans")) {
        assertThat(local).contains("INTERVAL 90 DAY", "INTERVAL 30 DAY", "non_replicated_deduplication_window = 1000");
        assertThat(replicated).contains("INTERVAL 365 DAY", "replicated_deduplication_window = 1000");
      }
    }
    assertThat(Migrations.load()).extracting(Migrations.Migration::version).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  }

  @Test
  void anUnknownPlaceholderIsAnError() {
    assertThatThrownBy(() -> Migrations.render("CREATE TABLE {{databse}}.x", Map.of("database", "d")))
        .hasMessageContaining("{{databse}}");
  }
}

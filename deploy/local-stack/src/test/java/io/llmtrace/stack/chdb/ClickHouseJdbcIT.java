package io.llmtrace.stack.chdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.ServerException;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The official clickhouse-jdbc driver against the embedded endpoint, as the sink and analysts use it. */
@ExtendWith(LocalStackExtension.class)
class ClickHouseJdbcIT {

  private static final int ROWS = 100_000;

  @Test
  void createsTypedTableBatchInsertsAndAggregates(StackEndpoints stack, TestNames names) throws SQLException {
    String table = names.table("events");
    try (Connection connection = DriverManager.getConnection(stack.clickhouseJdbcUrl("default"), "default", "");
         Statement statement = connection.createStatement()) {
      // Given a table with the column types the pipeline's tables use
      statement.execute("CREATE TABLE " + table + " ("
          + " ts DateTime64(6, 'UTC'),"
          + " model LowCardinality(String),"
          + " attributes Map(String, String),"
          + " latency_ms UInt32,"
          + " prompt String TTL toDateTime(ts) + INTERVAL 30 DAY"
          + ") ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY (model, ts)"
          + " TTL toDateTime(ts) + INTERVAL 90 DAY SETTINGS ttl_only_drop_parts = 1");

      // When 100,000 rows are batch-inserted through a prepared statement
      Instant base = Instant.now();
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO " + table + " (ts, model, attributes, latency_ms, prompt) VALUES (?, ?, ?, ?, ?)")) {
        for (int i = 0; i < ROWS; i++) {
          insert.setTimestamp(1, Timestamp.from(base.plusNanos(i * 1_000L)));
          insert.setString(2, i % 3 == 0 ? "gpt-4o" : "claude-sonnet");
          insert.setObject(3, Map.of("feature", "f" + (i % 7), "row", Integer.toString(i)));
          insert.setInt(4, i % 1000);
          insert.setString(5, "prompt " + i);
          insert.addBatch();
        }
        int[] counts = insert.executeBatch();
        assertThat(Arrays.stream(counts).sum()).isEqualTo(ROWS);
      }

      // Then count, quantile, Map access and LowCardinality grouping answer correctly
      try (ResultSet rs = statement.executeQuery("SELECT count(), quantile(0.95)(latency_ms), quantileExact(0.95)(latency_ms),"
          + " countIf(attributes['feature'] = 'f3'), uniqExact(model), max(ts) > min(ts) FROM " + table)) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(ROWS);
        // latency cycles 0..999 uniformly; quantileExact takes the element at floor(0.95 * n) of the sorted values.
        assertThat(rs.getDouble(2)).isBetween(930.0, 970.0);
        assertThat(rs.getLong(3)).isEqualTo(950);
        assertThat(rs.getLong(4)).isEqualTo(ROWS / 7 + (ROWS % 7 > 3 ? 1 : 0));
        assertThat(rs.getLong(5)).isEqualTo(2);
        assertThat(rs.getBoolean(6)).isTrue();
      }
      try (ResultSet rs = statement.executeQuery("SELECT type FROM system.columns WHERE table = '" + table + "' ORDER BY position")) {
        StringBuilder types = new StringBuilder();
        while (rs.next()) {
          types.append(rs.getString(1)).append(';');
        }
        assertThat(types.toString()).isEqualTo("DateTime64(6, 'UTC');LowCardinality(String);Map(String, String);UInt32;String;");
      }
      try (ResultSet rs = statement.executeQuery("SELECT engine_full FROM system.tables WHERE name = '" + table + "'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).contains("TTL toDateTime(ts) + toIntervalDay(90)").contains("ttl_only_drop_parts = 1");
      }
    }
  }

  @Test
  void badSqlSurfacesTheEngineErrorCodeAndMessage(StackEndpoints stack, TestNames names) throws SQLException {
    try (Connection connection = DriverManager.getConnection(stack.clickhouseJdbcUrl("default"), "default", "");
         Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery("SELEC 1"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Syntax error")
          .satisfies(e -> assertThat(serverErrorCode(e)).isEqualTo(62));
      assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM " + names.table("missing")))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("UNKNOWN_TABLE")
          .satisfies(e -> assertThat(serverErrorCode(e)).isEqualTo(60));
      // and the connection is still usable afterwards
      try (ResultSet rs = statement.executeQuery("SELECT 42")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(42);
      }
    }
  }

  /** jdbc-v2 keeps the server's code on the {@link ServerException} it wraps (SQLState is generic HY000). */
  private static int serverErrorCode(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof ServerException server) {
        return server.getCode();
      }
    }
    throw new AssertionError("no ServerException in the cause chain of " + thrown);
  }
}

package io.llmtrace.stack.chdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.stack.ChdbDistribution;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine loaded into this very JVM (libchdb allows one connection per process, so one test class
 * owns it). Guards the embedding hazards: a JVM whose SIGSEGV handler was replaced dies on its first
 * implicit null check or stack overflow, and settings must not leak from one request to the next.
 */
class ChdbEngineIT {

  private static ChdbEngine engine;

  @BeforeAll
  static void open() throws Exception {
    engine = ChdbEngine.open(ChdbDistribution.library(), Files.createTempDirectory("chdb-engine-it"));
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  @Test
  void theJvmStillHandlesItsOwnSignalsAfterTheEngineIsOpen() {
    // Warm a method until the JIT compiles it with an implicit null check (a SIGSEGV trap), then let
    // the trap fire once. With chDB's crash handlers installed this kills the JVM (exit 139).
    long sum = 0;
    for (int i = 0; i < 3_000_000; i++) {
      sum += hash("x" + (i & 7));
    }
    assertThat(sum).isPositive();
    assertThatThrownBy(() -> hash(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(ChdbEngineIT::recurse).isInstanceOf(StackOverflowError.class);
    assertThat(text(engine.execute("SELECT 1 + 1", "TabSeparated"))).isEqualTo("2\n");
  }

  @Test
  void perStatementSettingsAreRolledBackEvenWhenTheStatementFails() {
    ChdbEngine.Result limited = engine.execute("default", Map.of("max_threads", "1"),
        "SELECT value FROM system.settings WHERE name = 'max_threads'".getBytes(StandardCharsets.UTF_8), "TabSeparated");
    assertThat(text(limited)).isEqualTo("1\n");
    assertThatThrownBy(() -> engine.execute("default", Map.of("max_result_rows", "1", "result_overflow_mode", "throw"),
        "SELECT * FROM numbers(10)".getBytes(StandardCharsets.UTF_8), "TabSeparated"))
        .isInstanceOf(ChdbException.class)
        .satisfies(e -> assertThat(((ChdbException) e).code()).isEqualTo(396));
    assertThat(text(engine.execute("SELECT sum(changed) FROM system.settings WHERE name IN ('max_threads', 'max_result_rows', 'result_overflow_mode')", "TabSeparated")))
        .isEqualTo("0\n");
  }

  @Test
  void insertsFromASpooledFile() throws Exception {
    engine.execute("CREATE TABLE IF NOT EXISTS spooled (a UInt8, b String) ENGINE = MergeTree ORDER BY a", "TabSeparated");
    Path data = Files.createTempFile("spool", ".tsv");
    Files.writeString(data, "1\tone\n2\ttwo\n");
    ChdbEngine.Result insert = engine.execute(Statements.insertFromFile("INSERT INTO spooled FORMAT TabSeparated", data), "TabSeparated");
    assertThat(insert.rowsWritten()).isEqualTo(2);
    assertThat(text(engine.execute("SELECT groupArray(b) FROM (SELECT b FROM spooled ORDER BY a)", "TabSeparated"))).isEqualTo("['one','two']\n");
  }

  private static int hash(Object value) {
    return value.hashCode() & 0xff;
  }

  private static int recurse() {
    return recurse() + 1;
  }

  private static String text(ChdbEngine.Result result) {
    return new String(result.body(), StandardCharsets.UTF_8);
  }
}

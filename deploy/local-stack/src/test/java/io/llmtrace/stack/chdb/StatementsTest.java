package io.llmtrace.stack.chdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatementsTest {

  private final Path file = Path.of("/spool/insert-1.data");

  @Test
  void recognisesInsertsBehindCommentsAndWhitespace() {
    assertThat(Statements.isInsert("INSERT INTO t FORMAT RowBinary")).isTrue();
    assertThat(Statements.isInsert("  -- batch 7\n /* sink */ insert into t values")).isTrue();
    assertThat(Statements.isInsert("SELECT 'INSERT'")).isFalse();
    assertThat(Statements.isInsert("INSERTED")).isFalse();
  }

  @Test
  void rewritesBodyInsertsIntoInfileKeepingColumnsSettingsAndFormat() {
    assertThat(Statements.insertFromFile("INSERT INTO db.t (a, b) FORMAT RowBinary", file))
        .isEqualTo("INSERT INTO db.t (a, b) FROM INFILE '/spool/insert-1.data' FORMAT RowBinary");
    assertThat(Statements.insertFromFile("INSERT INTO t SETTINGS insert_deduplication_token = 'p0-1-9' FORMAT Native", file))
        .isEqualTo("INSERT INTO t FROM INFILE '/spool/insert-1.data' SETTINGS insert_deduplication_token = 'p0-1-9' FORMAT Native");
    assertThat(Statements.insertFromFile("insert into t values", file))
        .isEqualTo("insert into t FROM INFILE '/spool/insert-1.data' FORMAT Values");
    assertThat(Statements.insertFromFile("INSERT INTO t", file))
        .isEqualTo("INSERT INTO t FROM INFILE '/spool/insert-1.data' FORMAT TabSeparated");
  }

  @Test
  void findsOnlyATrailingFormatClause() {
    assertThat(Statements.explicitFormat("SELECT 1 FORMAT JSONEachRow")).hasValue("JSONEachRow");
    assertThat(Statements.explicitFormat("SELECT 1 format CSV;  ")).hasValue("CSV");
    assertThat(Statements.explicitFormat("SELECT 'FORMAT x' AS f")).isEmpty();
  }

  @Test
  void substitutesTypedParametersAsLiteralsNeverAsSql() {
    assertThat(Statements.substituteParameters("SELECT * FROM {tbl:Identifier} WHERE id = {id:UInt64} AND s = {s:String}",
        Map.of("tbl", "spans", "id", "42", "s", "it's")))
        .isEqualTo("SELECT * FROM `spans` WHERE id = CAST('42' AS UInt64) AND s = CAST('it\\'s' AS String)");
    assertThat(Statements.substituteParameters("SELECT {missing:String}", Map.of("other", "x")))
        .isEqualTo("SELECT {missing:String}");
  }
}

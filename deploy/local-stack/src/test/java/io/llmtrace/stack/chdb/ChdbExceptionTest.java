package io.llmtrace.stack.chdb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChdbExceptionTest {

  @Test
  void takesTheCodeFromTheEngineMessage() {
    ChdbException e = new ChdbException("Code: 60. DB::Exception: Unknown table expression identifier 'x'. (UNKNOWN_TABLE)\n");
    assertThat(e.code()).isEqualTo(60);
    assertThat(e.getMessage()).endsWith("(UNKNOWN_TABLE)");
  }

  @Test
  void messagesWithoutACodeAreUnknownExceptions() {
    assertThat(new ChdbException("libchdb exploded").code()).isEqualTo(1002);
  }

  @Test
  void contentTypesFollowTheFormatFamily() {
    assertThat(ClickHouseHttpServer.contentType("TabSeparatedWithNames")).startsWith("text/tab-separated-values");
    assertThat(ClickHouseHttpServer.contentType("JSONEachRow")).startsWith("application/json");
    assertThat(ClickHouseHttpServer.contentType("RowBinaryWithNamesAndTypes")).isEqualTo("application/octet-stream");
    assertThat(ClickHouseHttpServer.contentType("PrettyCompact")).startsWith("text/plain");
  }

  @Test
  void parsesUrlEncodedParameters() {
    assertThat(ClickHouseHttpServer.parseQueryString("query=SELECT+1%2C2&param_x=a%26b&flag"))
        .containsEntry("query", "SELECT 1,2").containsEntry("param_x", "a&b").containsEntry("flag", "");
  }
}

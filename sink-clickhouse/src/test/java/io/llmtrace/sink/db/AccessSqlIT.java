package io.llmtrace.sink.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * deploy/clickhouse/access.sql against the engine: every statement is valid ClickHouse SQL (the engine's
 * own parser, through EXPLAIN AST), and the embedded engine refuses to run access management, as
 * documented in the file, so a change in that is noticed.
 */
@ExtendWith(LocalStackExtension.class)
class AccessSqlIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void everyStatementParsesAndTheEmbeddedEngineRefusesAccessManagement(StackEndpoints stack) throws Exception {
    List<String> statements = Migrations.statements(Files.readString(Path.of("..", "deploy", "clickhouse", "access.sql")));
    assertThat(statements).hasSizeGreaterThan(10);
    assertThat(statements).anyMatch(s -> s.contains("CREATE ROW POLICY") && s.contains("tenant_id = 'acme'"));
    for (String statement : statements) {
      HttpResponse<String> parsed = post(stack, "EXPLAIN AST " + statement);
      assertThat(parsed.statusCode()).as("%s%n-> %s", statement, parsed.body()).isEqualTo(200);
    }

    HttpResponse<String> executed = post(stack, statements.get(0));
    assertThat(executed.statusCode()).isEqualTo(500);
    assertThat(executed.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("497");
    assertThat(executed.body()).contains("ACCESS_DENIED");
  }

  private static HttpResponse<String> post(StackEndpoints stack, String sql) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/"))
        .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
  }
}

package io.llmtrace.stack.chdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP interface as curl, Grafana and the driver use it: formats, inserts, settings, headers, errors. */
@ExtendWith(LocalStackExtension.class)
class ClickHouseHttpIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void pingAnswersOk(StackEndpoints stack) throws Exception {
    HttpResponse<String> response = get(stack.clickhouseUrl() + "/ping");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("Ok.\n");
  }

  @Test
  void selectsInTheRequestedFormatWithClickHouseHeaders(StackEndpoints stack) throws Exception {
    HttpResponse<String> tsv = get(stack.clickhouseUrl() + "/?query=" + encode("SELECT number, toString(number) FROM numbers(3)") + "&query_id=q-123");
    assertThat(tsv.statusCode()).isEqualTo(200);
    assertThat(tsv.body()).isEqualTo("0\t0\n1\t1\n2\t2\n");
    assertThat(tsv.headers().firstValue("X-ClickHouse-Query-Id")).hasValue("q-123");
    assertThat(tsv.headers().firstValue("X-ClickHouse-Format")).hasValue("TabSeparated");
    assertThat(tsv.headers().firstValue("X-ClickHouse-Timezone")).isPresent();
    assertThat(tsv.headers().firstValue("X-ClickHouse-Summary")).hasValueSatisfying(s -> assertThat(s).contains("\"read_rows\":\"3\""));
    // result_rows is what clickhouse-java's queryAll() reads to decide whether there are rows at all
    HttpResponse<String> filtered = post(stack.clickhouseUrl() + "/", "SELECT number FROM numbers(1000) WHERE number % 10 = 0");
    assertThat(filtered.headers().firstValue("X-ClickHouse-Summary")).hasValueSatisfying(s -> assertThat(s)
        .contains("\"result_rows\":\"100\"", "\"read_rows\":\"1000\""));
    assertThat(tsv.headers().firstValue("Content-Type")).hasValueSatisfying(s -> assertThat(s).startsWith("text/tab-separated-values"));

    HttpResponse<String> json = post(stack.clickhouseUrl() + "/", "SELECT 1 AS one FORMAT JSONEachRow");
    assertThat(json.body()).isEqualTo("{\"one\":1}\n");
    assertThat(json.headers().firstValue("X-ClickHouse-Format")).hasValue("JSONEachRow");

    HttpResponse<String> csv = post(stack.clickhouseUrl() + "/?default_format=CSVWithNames", "SELECT 'a,b' AS s");
    assertThat(csv.body()).isEqualTo("\"s\"\n\"a,b\"\n");

    HttpResponse<byte[]> rowBinary = http.send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/?default_format=RowBinary"))
        .POST(HttpRequest.BodyPublishers.ofString("SELECT toUInt32(258)")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(ByteBuffer.wrap(rowBinary.body()).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(258);
    assertThat(rowBinary.headers().firstValue("Content-Type")).hasValue("application/octet-stream");

    HttpResponse<byte[]> parquet = http.send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/"))
        .POST(HttpRequest.BodyPublishers.ofString("SELECT number FROM numbers(10) FORMAT Parquet")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(new String(parquet.body(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("PAR1");
  }

  @Test
  void insertsDataFromTheBodyInAnyFormatChunkedAndCompressed(StackEndpoints stack, TestNames names) throws Exception {
    String table = names.table("t");
    assertOk(post(stack.clickhouseUrl() + "/", "CREATE TABLE " + table + " (id UInt32, name String, tags Map(String, String)) ENGINE = MergeTree ORDER BY id"));

    HttpResponse<String> csv = post(stack.clickhouseUrl() + "/?query=" + encode("INSERT INTO " + table + " FORMAT CSV"), "1,one,{}\n2,two,\"{'k':'v'}\"\n");
    assertOk(csv);
    assertThat(csv.headers().firstValue("X-ClickHouse-Summary")).hasValueSatisfying(s -> assertThat(s).contains("\"written_rows\":\"2\""));

    // chunked (no Content-Length): a streaming publisher of unknown length
    byte[] json = "{\"id\":3,\"name\":\"three\",\"tags\":{\"a\":\"b\"}}\n{\"id\":4,\"name\":\"four\",\"tags\":{}}\n".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/?query=" + encode("INSERT INTO " + table + " FORMAT JSONEachRow")))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(json))).build(), HttpResponse.BodyHandlers.ofString());
    assertOk(chunked);

    HttpResponse<String> gzipped = http.send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/?query=" + encode("INSERT INTO " + table + " (id, name) VALUES")))
        .header("Content-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(gzip("(5, 'five'), (6, 'six')"))).build(), HttpResponse.BodyHandlers.ofString());
    assertOk(gzipped);

    // RowBinary: UInt32 little-endian, String as varint length + bytes, Map as varint size + pairs
    ByteArrayOutputStream rowBinary = new ByteArrayOutputStream();
    rowBinary.write(new byte[] {7, 0, 0, 0});
    rowBinary.write(5);
    rowBinary.write("seven".getBytes(StandardCharsets.UTF_8));
    rowBinary.write(0);
    assertOk(http.send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/?query=" + encode("INSERT INTO " + table + " FORMAT RowBinary")))
        .POST(HttpRequest.BodyPublishers.ofByteArray(rowBinary.toByteArray())).build(), HttpResponse.BodyHandlers.ofString()));

    HttpResponse<String> rows = post(stack.clickhouseUrl() + "/", "SELECT id, name, tags['a'] FROM " + table + " ORDER BY id FORMAT CSV");
    assertThat(rows.body()).isEqualTo("1,\"one\",\"\"\n2,\"two\",\"\"\n3,\"three\",\"b\"\n4,\"four\",\"\"\n5,\"five\",\"\"\n6,\"six\",\"\"\n7,\"seven\",\"\"\n");
  }

  @Test
  void urlSettingsApplyToOneStatementOnly(StackEndpoints stack) throws Exception {
    HttpResponse<String> limited = post(stack.clickhouseUrl() + "/?max_result_rows=5&result_overflow_mode=throw", "SELECT number FROM numbers(100)");
    assertThat(limited.statusCode()).isEqualTo(500);
    assertThat(limited.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("396");
    assertThat(limited.body()).contains("TOO_MANY_ROWS_OR_BYTES");

    HttpResponse<String> after = post(stack.clickhouseUrl() + "/", "SELECT count() FROM numbers(100)");
    assertThat(after.body()).isEqualTo("100\n");
    HttpResponse<String> setting = post(stack.clickhouseUrl() + "/", "SELECT changed FROM system.settings WHERE name = 'max_result_rows'");
    assertThat(setting.body()).isEqualTo("0\n");

    HttpResponse<String> unknown = post(stack.clickhouseUrl() + "/?no_such_setting=1", "SELECT 1");
    assertThat(unknown.statusCode()).isEqualTo(500);
    assertThat(unknown.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("115");
  }

  @Test
  void databaseQueryParametersAndBasicAuth(StackEndpoints stack, TestNames names) throws Exception {
    String database = names.table("db");
    assertOk(post(stack.clickhouseUrl() + "/", "CREATE DATABASE " + database));
    assertOk(post(stack.clickhouseUrl() + "/?database=" + database, "CREATE TABLE kv (k String, v UInt8) ENGINE = MergeTree ORDER BY k"));
    assertOk(post(stack.clickhouseUrl() + "/?database=" + database, "INSERT INTO kv VALUES ('x', 1), ('y', 2)"));

    HttpResponse<String> viaHeader = http.send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/?param_key=y"))
        .header("X-ClickHouse-Database", database)
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("default:".getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString("SELECT v FROM kv WHERE k = {key:String}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(viaHeader.body()).isEqualTo("2\n");

    // the next request without a database is back in default
    assertThat(post(stack.clickhouseUrl() + "/", "SELECT currentDatabase()").body()).isEqualTo("default\n");
  }

  @Test
  void errorsAreHttp500WithTheEngineCodeAndMessage(StackEndpoints stack) throws Exception {
    HttpResponse<String> syntax = post(stack.clickhouseUrl() + "/", "SELEC 1");
    assertThat(syntax.statusCode()).isEqualTo(500);
    assertThat(syntax.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("62");
    assertThat(syntax.body()).startsWith("Code: 62. DB::Exception: Syntax error");

    HttpResponse<String> empty = post(stack.clickhouseUrl() + "/", "");
    assertThat(empty.statusCode()).isEqualTo(500);
    assertThat(empty.body()).contains("Empty query");

    HttpResponse<String> lz4 = post(stack.clickhouseUrl() + "/?compress=1", "SELECT 1");
    assertThat(lz4.statusCode()).isEqualTo(500);
    assertThat(lz4.body()).contains("compress=0");
  }

  @Test
  void gzipsResponsesWhenAskedTo(StackEndpoints stack) throws Exception {
    HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/?enable_http_compression=1"))
        .header("Accept-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofString("SELECT 'compressed'")).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
    try (InputStream in = new GZIPInputStream(response.body())) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("compressed\n");
    }
  }

  @Test
  void concurrentRequestsAreSerializedOntoTheEngine(StackEndpoints stack) throws Exception {
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> responses = new java.util.ArrayList<>();
    for (int i = 0; i < 16; i++) {
      responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/?database=system&max_threads=" + (1 + i % 2)))
          .POST(HttpRequest.BodyPublishers.ofString("SELECT sum(number) + " + i + " FROM numbers(100000)")).build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < responses.size(); i++) {
      HttpResponse<String> response = responses.get(i).join();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo((4999950000L + i) + "\n");
    }
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertOk(HttpResponse<String> response) {
    assertThat(response.statusCode()).as("HTTP status; body: %s", response.body()).isEqualTo(200);
  }

  private static String encode(String sql) {
    return URLEncoder.encode(sql, StandardCharsets.UTF_8);
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}

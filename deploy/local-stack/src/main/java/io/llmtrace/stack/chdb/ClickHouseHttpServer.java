package io.llmtrace.stack.chdb;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClickHouse HTTP interface in front of a {@link ChdbEngine}: what clickhouse-jdbc, curl and
 * analysts' tools use. SQL comes from the {@code query} parameter and/or the body; data for an INSERT
 * named in {@code query} comes in the body (any format, chunked, optionally gzip/deflate). Unreserved
 * URL parameters are settings for that statement; {@code param_x} fills {@code {x:Type}}. Errors are
 * HTTP 500 with the engine's message and {@code X-ClickHouse-Exception-Code}. Not supported: the
 * native LZ4 framing ({@code compress=1}/{@code decompress=1}), sessions, external tables.
 */
public final class ClickHouseHttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseHttpServer.class);

  /** URL parameters the server interprets itself; every other one is a setting. */
  private static final Set<String> RESERVED = Set.of(
      "query", "query_id", "database", "default_format", "user", "password", "quota_key",
      "session_id", "session_timeout", "session_check", "compress", "decompress", "buffer_size",
      "wait_end_of_query", "role", "stacktrace", "client_protocol_version", "with_column_types");
  /** Settings that only shape the HTTP exchange; the engine has no use for them. */
  private static final Set<String> HTTP_ONLY = Set.of(
      "enable_http_compression", "http_zlib_compression_level", "send_progress_in_http_headers",
      "http_headers_progress_interval_ms", "http_wait_end_of_query", "http_response_buffer_size",
      "cancel_http_readonly_queries_on_client_close", "add_http_cors_header", "date_time_output_format_http");
  private static final int BAD_ARGUMENTS = 36;
  private static final int REQUIRED_PASSWORD = 194;
  private static final int AUTHENTICATION_FAILED = 516;
  private static final int SYNTAX_ERROR = 62;
  private static final long MAX_QUERY_BYTES = 256L * 1024 * 1024;

  private final ChdbEngine engine;
  private final HttpServer server;
  private final ExecutorService workers;
  private final Path spoolDir;
  private final Credentials credentials;
  private final String timezone;
  private final String version;
  private final String displayName;

  /** Optional user/password; when {@code null} any credentials are accepted, like a default user without password. */
  public record Credentials(String user, String password) {}

  public ClickHouseHttpServer(ChdbEngine engine, InetSocketAddress address, Path spoolDir, Credentials credentials)
      throws IOException {
    this.engine = engine;
    this.spoolDir = Files.createDirectories(spoolDir);
    this.credentials = credentials;
    String[] info = new String(engine.execute("SELECT timezone(), version()", "TabSeparated").body(), StandardCharsets.UTF_8)
        .strip().split("\t");
    this.timezone = info[0];
    this.version = info[1];
    this.displayName = InetAddress.getLoopbackAddress().getHostName();
    this.workers = Executors.newFixedThreadPool(8, runnable -> {
      Thread thread = new Thread(runnable, "clickhouse-http");
      thread.setDaemon(true);
      return thread;
    });
    this.server = HttpServer.create(address, 64);
    server.createContext("/", this::handle);
    server.setExecutor(workers);
  }

  public void start() {
    server.start();
    LOG.info("ClickHouse HTTP interface on http://{}:{} (engine {}, timezone {})",
        server.getAddress().getHostString(), server.getAddress().getPort(), version, timezone);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String queryId = UUID.randomUUID().toString();
    // Not try-with-resources: the exchange must stay open for the error responses below.
    try {
      String path = exchange.getRequestURI().getPath();
      Map<String, String> params = parseQueryString(exchange.getRequestURI().getRawQuery());
      queryId = params.getOrDefault("query_id", queryId);
      if (path.equals("/ping") || path.equals("/replicas_status")
          || (path.equals("/") && "GET".equals(exchange.getRequestMethod()) && !params.containsKey("query"))) {
        drain(exchange.getRequestBody());
        respond(exchange, 200, "text/plain; charset=UTF-8", "Ok.\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      authenticate(exchange.getRequestHeaders(), params);
      execute(exchange, params, queryId);
    } catch (ChdbException e) {
      LOG.debug("query {} failed with code {}", queryId, e.code());
      exchange.getResponseHeaders().set("X-ClickHouse-Query-Id", queryId);
      exchange.getResponseHeaders().set("X-ClickHouse-Exception-Code", Integer.toString(e.code()));
      int status = e.code() == AUTHENTICATION_FAILED || e.code() == REQUIRED_PASSWORD ? 401 : 500;
      respond(exchange, status, "text/plain; charset=UTF-8",
          (e.getMessage() + " (version " + version + ")\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      LOG.warn("query {} failed: {}", queryId, e.toString());
      exchange.getResponseHeaders().set("X-ClickHouse-Exception-Code", Integer.toString(ChdbException.UNKNOWN_EXCEPTION));
      respond(exchange, 500, "text/plain; charset=UTF-8",
          ("Code: 1002. DB::Exception: " + e + " (version " + version + ")\n").getBytes(StandardCharsets.UTF_8));
    } finally {
      exchange.close();
    }
  }

  private void execute(HttpExchange exchange, Map<String, String> params, String queryId) throws IOException {
    Headers headers = exchange.getRequestHeaders();
    if ("1".equals(params.get("compress")) || "1".equals(params.get("decompress"))) {
      throw new ChdbException(BAD_ARGUMENTS,
          "Code: 36. DB::Exception: the embedded endpoint does not speak ClickHouse's native LZ4 framing "
              + "(compress=1/decompress=1); use HTTP compression or compress=0. (BAD_ARGUMENTS)");
    }
    String database = params.getOrDefault("database", headers.getFirst("X-ClickHouse-Database"));
    String defaultFormat = params.getOrDefault("default_format",
        headers.getFirst("X-ClickHouse-Format") == null ? "TabSeparated" : headers.getFirst("X-ClickHouse-Format"));
    Map<String, String> settings = new LinkedHashMap<>();
    Map<String, String> parameters = new LinkedHashMap<>();
    params.forEach((name, value) -> {
      if (name.startsWith("param_")) {
        parameters.put(name.substring("param_".length()), value);
      } else if (!RESERVED.contains(name) && !HTTP_ONLY.contains(name)) {
        settings.put(name, value);
      }
    });

    InputStream body = decoded(exchange.getRequestBody(), headers.getFirst("Content-Encoding"));
    String queryParam = params.get("query");
    Path spool = null;
    String sql;
    try {
      if (queryParam != null && Statements.isInsert(queryParam)) {
        spool = Files.createTempFile(spoolDir, "insert-", ".data");
        try (OutputStream out = Files.newOutputStream(spool)) {
          body.transferTo(out);
        }
        sql = Files.size(spool) == 0 ? queryParam : Statements.insertFromFile(queryParam, spool);
      } else {
        byte[] bodyBytes = body.readNBytes((int) Math.min(MAX_QUERY_BYTES, Integer.MAX_VALUE - 8));
        String bodyText = new String(bodyBytes, StandardCharsets.UTF_8);
        sql = queryParam == null ? bodyText : bodyText.isEmpty() ? queryParam : queryParam + "\n" + bodyText;
      }
      if (sql.isBlank()) {
        throw new ChdbException(SYNTAX_ERROR, "Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)");
      }
      sql = Statements.substituteParameters(sql, parameters);
      // An INSERT's FORMAT names its input; the (empty) response is in the default format.
      String format = Statements.isInsert(sql) ? defaultFormat : Statements.explicitFormat(sql).orElse(defaultFormat);
      ChdbEngine.Result result = engine.execute(database, settings, sql.getBytes(StandardCharsets.UTF_8), defaultFormat);
      Headers out = exchange.getResponseHeaders();
      out.set("X-ClickHouse-Query-Id", queryId);
      out.set("X-ClickHouse-Format", format);
      out.set("X-ClickHouse-Timezone", timezone);
      out.set("X-ClickHouse-Server-Display-Name", displayName);
      out.set("X-ClickHouse-Summary", summary(result));
      byte[] payload = result.body();
      if ("1".equals(params.get("enable_http_compression")) && acceptsGzip(headers.getFirst("Accept-Encoding"))) {
        out.set("Content-Encoding", "gzip");
        payload = gzip(payload);
      }
      respond(exchange, 200, contentType(format), payload);
    } finally {
      if (spool != null) {
        Files.deleteIfExists(spool);
      }
    }
  }

  private void authenticate(Headers headers, Map<String, String> params) {
    if (credentials == null) {
      return;
    }
    String user = headers.getFirst("X-ClickHouse-User");
    String password = headers.getFirst("X-ClickHouse-Key");
    String authorization = headers.getFirst("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      user = colon < 0 ? decoded : decoded.substring(0, colon);
      password = colon < 0 ? "" : decoded.substring(colon + 1);
    }
    user = params.getOrDefault("user", user == null ? "default" : user);
    password = params.getOrDefault("password", password == null ? "" : password);
    if (!credentials.user().equals(user) || !credentials.password().equals(password)) {
      throw new ChdbException(AUTHENTICATION_FAILED, "Code: 516. DB::Exception: " + user
          + ": Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)");
    }
  }

  private static String summary(ChdbEngine.Result result) {
    return "{\"read_rows\":\"" + result.rowsRead() + "\",\"read_bytes\":\"" + result.bytesRead()
        + "\",\"written_rows\":\"" + result.rowsWritten() + "\",\"written_bytes\":\"" + result.bytesWritten()
        + "\",\"total_rows_to_read\":\"" + result.rowsRead() + "\",\"result_rows\":\"" + result.resultRows() + "\",\"result_bytes\":\""
        + result.body().length + "\",\"elapsed_ns\":\"" + result.elapsedNanos() + "\"}";
  }

  static String contentType(String format) {
    String f = format.toLowerCase(Locale.ROOT);
    if (f.startsWith("tabseparated") || f.startsWith("tsv")) {
      return "text/tab-separated-values; charset=UTF-8";
    } else if (f.startsWith("csv")) {
      return "text/csv; charset=UTF-8; header=absent";
    } else if (f.startsWith("json")) {
      return "application/json; charset=UTF-8";
    } else if (f.startsWith("pretty") || f.equals("vertical") || f.equals("markdown") || f.startsWith("template")) {
      return "text/plain; charset=UTF-8";
    } else if (f.equals("xml")) {
      return "application/xml; charset=UTF-8";
    }
    return "application/octet-stream";
  }

  private static InputStream decoded(InputStream body, String contentEncoding) throws IOException {
    if (contentEncoding == null || contentEncoding.isBlank() || contentEncoding.equalsIgnoreCase("identity")) {
      return body;
    }
    return switch (contentEncoding.strip().toLowerCase(Locale.ROOT)) {
      case "gzip", "x-gzip" -> new GZIPInputStream(body, 64 * 1024);
      case "deflate" -> new InflaterInputStream(body);
      default -> throw new ChdbException(BAD_ARGUMENTS,
          "Code: 36. DB::Exception: Unsupported Content-Encoding: " + contentEncoding + ". (BAD_ARGUMENTS)");
    };
  }

  private static boolean acceptsGzip(String acceptEncoding) {
    return acceptEncoding != null && acceptEncoding.toLowerCase(Locale.ROOT).contains("gzip");
  }

  private static byte[] gzip(byte[] payload) throws IOException {
    java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream(Math.max(64, payload.length / 4));
    try (GZIPOutputStream out = new GZIPOutputStream(buffer)) {
      out.write(payload);
    }
    return buffer.toByteArray();
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] payload) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Connection", "Keep-Alive");
    exchange.getResponseHeaders().set("Keep-Alive", "timeout=10");
    exchange.sendResponseHeaders(status, payload.length == 0 ? -1 : payload.length);
    if (payload.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(payload);
      }
    }
  }

  private static void drain(InputStream body) throws IOException {
    body.transferTo(OutputStream.nullOutputStream());
  }

  static Map<String, String> parseQueryString(String raw) {
    Map<String, String> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(name, value);
    }
    return params;
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}

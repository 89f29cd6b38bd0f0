package io.llmtrace.stack.chdb;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClickHouse engine in this process: one libchdb connection on a persistent data directory.
 * libchdb allows one connection per process and its session state (current database, settings) is
 * shared, so every statement goes through {@link #execute} under one lock, and per-request
 * settings are applied before and rolled back after the statement that asked for them.
 */
public final class ChdbEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChdbEngine.class);

  private final ChdbNative lib;
  private final Pointer connectionRef;
  private final Pointer connection;
  private String currentDatabase = "default";
  private boolean closed;

  private ChdbEngine(ChdbNative lib, Pointer connectionRef) {
    this.lib = lib;
    this.connectionRef = connectionRef;
    this.connection = connectionRef.getPointer(0);
  }

  /** Loads {@code libchdb.so} and opens the engine on {@code dataDir} (created if missing). */
  public static ChdbEngine open(Path library, Path dataDir) {
    ChdbNative lib = Native.load(library.toAbsolutePath().toString(), ChdbNative.class);
    Signals.Saved jvmHandlers = Signals.save();
    Pointer ref;
    try {
      lib.chdb_set_signal_handlers_enabled(0);
      ref = lib.chdb_connect(2, new String[] {"clickhouse", "--path=" + dataDir.toAbsolutePath()});
    } finally {
      jvmHandlers.restore();
    }
    if (ref == null || ref.getPointer(0) == null) {
      throw new IllegalStateException("libchdb refused to open data directory " + dataDir);
    }
    LOG.info("ClickHouse engine open on {}", dataDir);
    return new ChdbEngine(lib, ref);
  }

  /**
   * Runs one statement. {@code settings} are ClickHouse settings for this statement only; the
   * engine's previous values are restored afterwards, whether the statement failed or not.
   */
  public synchronized Result execute(String database, Map<String, String> settings, byte[] sql, String format) {
    checkOpen();
    useDatabase(database == null || database.isBlank() ? "default" : database);
    if (settings.isEmpty()) {
      return run(sql, format);
    }
    Map<String, String> previous = currentValues(settings.keySet());
    runOk(setStatement(quoteValues(settings)));
    try {
      return run(sql, format);
    } finally {
      if (!previous.isEmpty()) {
        runOk(setStatement(previous));
      }
    }
  }

  /** Convenience for statements issued by this process itself. */
  public Result execute(String sql, String format) {
    return execute(currentDatabaseForInternalUse(), Map.of(), sql.getBytes(StandardCharsets.UTF_8), format);
  }

  private synchronized String currentDatabaseForInternalUse() {
    return currentDatabase;
  }

  private void useDatabase(String database) {
    if (!database.equals(currentDatabase)) {
      runOk("USE " + quoteIdentifier(database));
      currentDatabase = database;
    }
  }

  private Map<String, String> currentValues(Iterable<String> names) {
    StringBuilder in = new StringBuilder();
    for (String name : names) {
      in.append(in.length() == 0 ? "" : ",").append(quoteString(name));
    }
    String rows = runOk("SELECT name, value, changed FROM system.settings WHERE name IN (" + in + ")");
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : rows.split("\n")) {
      String[] columns = line.split("\t", -1);
      if (columns.length == 3) {
        // An unchanged setting goes back to DEFAULT: its displayed value ("auto(2)") may not parse.
        values.put(columns[0], "1".equals(columns[2]) ? quoteString(unescapeTsv(columns[1])) : "DEFAULT");
      }
    }
    // Unknown names are left out; the SET below then fails with the engine's UNKNOWN_SETTING error.
    return values;
  }

  private static Map<String, String> quoteValues(Map<String, String> settings) {
    Map<String, String> quoted = new LinkedHashMap<>();
    settings.forEach((name, value) -> quoted.put(name, quoteString(value)));
    return quoted;
  }

  /** {@code SET a = <literal>, b = DEFAULT}; values are SQL literals already. */
  private static String setStatement(Map<String, String> literals) {
    return "SET " + literals.entrySet().stream()
        .map(e -> quoteIdentifier(e.getKey()) + " = " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private String runOk(String sql) {
    Result result = run(sql.getBytes(StandardCharsets.UTF_8), "TabSeparated");
    return new String(result.body(), StandardCharsets.UTF_8);
  }

  private Result run(byte[] sql, String format) {
    byte[] formatBytes = format.getBytes(StandardCharsets.US_ASCII);
    Pointer result = lib.chdb_query_n(connection, sql, sql.length, formatBytes, formatBytes.length);
    if (result == null) {
      throw new ChdbException(ChdbException.UNKNOWN_EXCEPTION, "libchdb returned no result");
    }
    try {
      String error = lib.chdb_result_error(result);
      if (error != null && !error.isEmpty()) {
        throw new ChdbException(error);
      }
      long length = lib.chdb_result_length(result);
      Pointer buffer = lib.chdb_result_buffer(result);
      byte[] body = length == 0 || buffer == null ? new byte[0] : buffer.getByteArray(0, Math.toIntExact(length));
      return new Result(body, lib.chdb_result_rows_read(result),
          lib.chdb_result_storage_rows_read(result), lib.chdb_result_storage_bytes_read(result),
          lib.chdb_result_rows_written(result), lib.chdb_result_bytes_written(result),
          (long) (lib.chdb_result_elapsed(result) * 1_000_000_000L));
    } finally {
      lib.chdb_destroy_query_result(result);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new ChdbException(ChdbException.UNKNOWN_EXCEPTION, "the ClickHouse engine is shut down");
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      lib.chdb_close_conn(connectionRef);
    }
  }

  static String quoteIdentifier(String name) {
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`";
  }

  static String quoteString(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String unescapeTsv(String value) {
    if (value.indexOf('\\') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        char next = value.charAt(++i);
        out.append(switch (next) {
          case 't' -> '\t';
          case 'n' -> '\n';
          case '0' -> '\0';
          default -> next;
        });
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A statement's output and the counters ClickHouse reports in {@code X-ClickHouse-Summary}. */
  public record Result(byte[] body, long resultRows, long rowsRead, long bytesRead, long rowsWritten, long bytesWritten,
      long elapsedNanos) {}
}

package io.llmtrace.sink.db;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.command.CommandResponse;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.encoding.ColumnType;
import java.io.InputStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sink's one connection pool to ClickHouse (the clickhouse-jdbc driver's client-v2 layer, over
 * HTTP). Inserts are binary (Native or RowBinary) bodies with an explicit column list and an
 * {@code insert_deduplication_token}; every failure comes back as an {@link InsertException} carrying its
 * {@link InsertFailure classification}.
 */
public final class ClickHouseTarget implements AutoCloseable {

  private final Client client;
  private final String database;
  private final Duration timeout;

  private ClickHouseTarget(Client client, String database, Duration timeout) {
    this.client = client;
    this.database = database;
    this.timeout = timeout;
  }

  public static ClickHouseTarget connect(SinkConfig.ClickHouse config) {
    Client client = new Client.Builder()
        .addEndpoint(config.url())
        .setUsername(config.user())
        .setPassword(config.password())
        // ClickHouse's own LZ4 framing on responses; the HTTP bodies here are small or ours.
        .compressServerResponse(false)
        .setConnectTimeout(5, ChronoUnit.SECONDS)
        .setSocketTimeout(config.insertTimeout().toMillis(), ChronoUnit.MILLIS)
        // The sink retries itself, with the same token; a hidden client retry would only add latency.
        .setMaxRetries(0)
        .setClientName("llmtrace-sink")
        .build();
    return new ClickHouseTarget(client, config.database(), config.insertTimeout());
  }

  public String database() {
    return database;
  }

  /** Inserts RowBinary rows. */
  public void insertRowBinary(String table, List<String> columns, InputStream rows, String deduplicationToken)
      throws InsertException {
    insert(table, columns, ClickHouseFormat.RowBinary, rows, deduplicationToken);
  }

  /** Inserts Native blocks (see {@link io.llmtrace.sink.encoding.NativeTranscoder}). */
  public void insertNative(String table, List<String> columns, InputStream blocks, String deduplicationToken)
      throws InsertException {
    insert(table, columns, ClickHouseFormat.Native, blocks, deduplicationToken);
  }

  /**
   * The types of {@code columns} of {@code table} as the server reports them; fails naming the first
   * column the table does not have.
   */
  public List<ColumnType> columnTypes(String table, List<String> columns) {
    Map<String, String> types = new HashMap<>();
    for (GenericRecord row : client.queryAll("DESCRIBE TABLE " + database + "." + table)) {
      types.put(row.getString("name"), row.getString("type"));
    }
    List<ColumnType> parsed = new ArrayList<>();
    for (String column : columns) {
      String type = types.get(column);
      if (type == null) {
        throw new IllegalStateException("table " + database + "." + table + " has no column " + column
            + " (has: " + types.keySet() + ")");
      }
      parsed.add(ColumnType.parse(type));
    }
    return parsed;
  }

  private void insert(String table, List<String> columns, ClickHouseFormat format, InputStream data, String deduplicationToken)
      throws InsertException {
    InsertSettings settings = new InsertSettings()
        .setDatabase(database)
        .setDeduplicationToken(deduplicationToken);
    try (InsertResponse ignored = client.insert(table, columns, data, format, settings)
        .get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
      // written_rows in the response does not tell a deduplicated insert from a new one
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InsertException(new InsertFailure(InsertFailure.Kind.RETRIABLE, 0, "interrupted"), e);
    } catch (Exception e) {
      throw new InsertException(InsertFailure.classify(e), e);
    }
  }

  /** Runs one statement that returns nothing (DDL, small INSERT ... VALUES). */
  public void execute(String sql) {
    try (CommandResponse ignored = client.execute(sql).get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      // the response carries only summary headers
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running: " + sql, e);
    } catch (Exception e) {
      throw new IllegalStateException("ClickHouse refused: " + abbreviate(sql) + " -- " + InsertFailure.classify(e).message(), e);
    }
  }

  public List<GenericRecord> query(String sql) {
    return client.queryAll(sql);
  }

  /** Reachability for health checks: never throws. */
  public boolean ping() {
    try {
      return client.ping(2_000);
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    client.close();
  }

  private static String abbreviate(String sql) {
    String flat = sql.replaceAll("\\s+", " ").trim();
    return flat.length() > 160 ? flat.substring(0, 160) + "..." : flat;
  }

  /** An insert that did not happen (or whose outcome is unknown), with what to do about it. */
  public static final class InsertException extends Exception {
    private final transient InsertFailure failure;

    public InsertException(InsertFailure failure, Throwable cause) {
      super(failure.kind() + (failure.serverCode() == 0 ? "" : " code " + failure.serverCode()) + ": " + failure.message(), cause);
      this.failure = failure;
    }

    public InsertFailure failure() {
      return failure;
    }
  }
}

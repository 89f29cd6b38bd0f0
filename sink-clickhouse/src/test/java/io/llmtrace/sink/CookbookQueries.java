package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.Migrations;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import io.llmtrace.sink.mapping.TableMapping;
import io.llmtrace.stack.StackEndpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of {@code deploy/clickhouse/queries} as a cookbook IT runs them: the file's text with its
 * parameters as {@code param_<name>}, remembering which files ran so the IT can check that every query of
 * its prefix is asserted; and fixture rows written with the sink's own row encoders.
 */
final class CookbookQueries {

  static final Path QUERIES = Path.of("..", "deploy", "clickhouse", "queries");
  static final DateTimeFormatter CLICKHOUSE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private final SinkFixture fixture;
  private final Set<String> tested = new HashSet<>();

  private CookbookQueries(SinkFixture fixture) {
    this.fixture = fixture;
  }

  /** Fills one table of the fixture database. */
  interface Rows {
    /**
     * One insert per list of records, encoded as the sink encodes them, at the next offsets of partition 0:
     * separate inserts are separate parts, so versions or events of one thing in two lists are merged only
     * by the query, as in production.
     */
    <T> void insert(String table, List<String> columns, TableMapping.RowEncoder<T> encoder, List<List<T>> inserts)
        throws ClickHouseTarget.InsertException;
  }

  /** How a cookbook IT writes its fixture rows. */
  @FunctionalInterface
  interface Fixture {
    void load(Rows rows) throws ClickHouseTarget.InsertException;
  }

  /** The queries against a new database with every migration applied and the fixture's rows written. */
  static CookbookQueries create(StackEndpoints stack, String database, Fixture load) throws ClickHouseTarget.InsertException {
    SinkFixture fixture = new SinkFixture(stack, "unused", database, "unused");
    SinkConfig.ClickHouse config = fixture.config(Map.of()).clickhouse();
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      new Migrations(target, config).apply();
      long[] offset = {0};
      load.load(new Rows() {
        @Override
        public <T> void insert(String table, List<String> columns, TableMapping.RowEncoder<T> encoder, List<List<T>> inserts)
            throws ClickHouseTarget.InsertException {
          for (List<T> records : inserts) {
            offset[0] = CookbookQueries.insert(target, table, columns, encoder, records, offset[0]);
          }
        }
      });
    }
    return new CookbookQueries(fixture);
  }

  /** The fixture database, for queries that are not cookbook files. */
  SinkFixture fixture() {
    return fixture;
  }

  /** The rows the query file answers with; {@code keysAndValues}: parameter name, value, name, value, ... */
  List<JsonNode> run(String file, String... keysAndValues) {
    tested.add(file);
    String sql;
    try {
      sql = Files.readString(QUERIES.resolve(file)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sql = sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql;
    Map<String, String> params = new HashMap<>(Map.of("output_format_json_named_tuples_as_objects", "1"));
    for (int i = 0; i < keysAndValues.length; i += 2) {
      params.put("param_" + keysAndValues[i], keysAndValues[i + 1]);
    }
    return fixture.rows(sql, params);
  }

  /** Every query file whose name starts with one of the prefixes was run. */
  void assertEveryQueryTested(String... prefixes) throws IOException {
    try (Stream<Path> files = Files.list(QUERIES)) {
      assertThat(tested).containsExactlyInAnyOrderElementsOf(files.map(f -> f.getFileName().toString())
          .filter(name -> Arrays.stream(prefixes).anyMatch(name::startsWith)).toList());
    }
  }

  static String time(Instant instant) {
    return CLICKHOUSE_TIME.format(instant);
  }

  /**
   * One insert of the records as rows of the table, encoded as the sink encodes them, at offsets from
   * {@code firstOffset} of partition 0, with a token of table and first offset; returns the next offset.
   */
  static <T> long insert(ClickHouseTarget target, String table, List<String> columns, TableMapping.RowEncoder<T> encoder,
      List<T> records, long firstOffset) throws ClickHouseTarget.InsertException {
    RowBinaryBuffer rows = new RowBinaryBuffer(1 << 14);
    long offset = firstOffset;
    for (T record : records) {
      encoder.encode(record, 0, offset++, rows);
    }
    target.insertRowBinary(table, columns, rows.stream(0, rows.size()), table + "-fixture-" + firstOffset);
    return offset;
  }
}

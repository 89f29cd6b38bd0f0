package io.llmtrace.sink.db;

import com.clickhouse.client.api.query.GenericRecord;
import io.llmtrace.sink.config.SinkConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned DDL, applied at start-up and recorded in {@code schema_migrations}. Every statement is
 * idempotent ({@code IF NOT EXISTS}), so several sink instances starting together may all run a
 * migration; each records it, and {@code schema_migrations} (ReplacingMergeTree by version) collapses
 * the duplicates. A migration changed after it was applied (checksum of its template differs) stops the
 * start: schema changes are new files, never edits.
 *
 * <p>The files are templates: {@code {{database}}}, {@code {{on_cluster}}}, {@code {{engine_prefix}}}
 * ({@code Replicated} on a cluster, so the same file makes {@code ReplicatedMergeTree} there), the
 * deduplication window setting and the TTLs. On a cluster, Replicated* engines are created without
 * arguments and so use the server's {@code default_replica_path}/{@code default_replica_name}.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  /** In order; a new migration is appended here and added as a file next to this class's resources. */
  public static final List<String> FILES = List.of("V001__spans.sql", "V002__trace_index.sql", "V003__dead_letters.sql",
      "V004__nullable_cost.sql", "V005__traces.sql",
      "V006__span_quality.sql", "V007__metrics.sql", "V008__alerts.sql", "V009__releases.sql", "V010__review_queue.sql");
  private static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__([a-z0-9_]+)\\.sql");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

  private final ClickHouseTarget target;
  private final Map<String, String> variables;

  public Migrations(ClickHouseTarget target, SinkConfig.ClickHouse config) {
    this.target = target;
    this.variables = variables(config);
  }

  /** A migration file, its version and the checksum of its template text. */
  public record Migration(int version, String name, String template, String checksum) {}

  /** Creates the database and applies what is missing; returns the versions applied by this call. */
  public List<Integer> apply() {
    String database = variables.get("database");
    target.execute("CREATE DATABASE IF NOT EXISTS " + database + " " + variables.get("on_cluster"));
    target.execute(render("""
        CREATE TABLE IF NOT EXISTS {{database}}.schema_migrations {{on_cluster}}
        (
            version    UInt32,
            name       String,
            checksum   String,
            applied_at DateTime64(3, 'UTC') DEFAULT now64(3),
            applied_by String
        )
        ENGINE = {{engine_prefix}}ReplacingMergeTree
        ORDER BY version""", variables));
    Map<Integer, String> applied = new LinkedHashMap<>();
    for (GenericRecord row : target.query("SELECT version, checksum FROM " + database + ".schema_migrations FINAL ORDER BY version")) {
      applied.put((int) row.getLong("version"), row.getString("checksum"));
    }
    List<Integer> ran = new ArrayList<>();
    for (Migration migration : load()) {
      String recorded = applied.get(migration.version());
      if (recorded != null) {
        if (!recorded.equals(migration.checksum())) {
          throw new IllegalStateException("migration V" + migration.version() + " (" + migration.name() + ") was changed after "
              + "it was applied to " + database + ": recorded checksum " + recorded + ", file " + migration.checksum()
              + ". Add a new migration instead of editing an applied one.");
        }
        continue;
      }
      for (String statement : statements(render(migration.template(), variables))) {
        target.execute(statement);
      }
      target.execute("INSERT INTO " + database + ".schema_migrations (version, name, checksum, applied_by) VALUES ("
          + migration.version() + ", '" + migration.name() + "', '" + migration.checksum() + "', '" + host() + "')");
      LOG.info("applied migration V{} {} to {}", migration.version(), migration.name(), database);
      ran.add(migration.version());
    }
    return ran;
  }

  /** The migration files, in order, from the classpath. */
  public static List<Migration> load() {
    List<Migration> migrations = new ArrayList<>();
    for (String file : FILES) {
      Matcher name = FILE_NAME.matcher(file);
      if (!name.matches()) {
        throw new IllegalStateException("migration file name " + file + " is not V<n>__<name>.sql");
      }
      try (InputStream in = Migrations.class.getResourceAsStream("/io/llmtrace/sink/migrations/" + file)) {
        if (in == null) {
          throw new IllegalStateException("migration " + file + " is not on the classpath");
        }
        String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        migrations.add(new Migration(Integer.parseInt(name.group(1)), name.group(2), template, sha256(template)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return migrations;
  }

  /**
   * The statements of a rendered file: a statement ends at a code line ending in ';' (comment lines
   * never end one); pieces with nothing but comments are dropped.
   */
  public static List<String> statements(String sql) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean hasCode = false;
    for (String line : sql.split("\\r?\\n", -1)) {
      String stripped = line.strip();
      boolean comment = stripped.startsWith("--");
      hasCode |= !comment && !stripped.isEmpty();
      if (!comment && stripped.endsWith(";")) {
        current.append(line, 0, line.lastIndexOf(';'));
        statements.add(current.toString().strip());
        current.setLength(0);
        hasCode = false;
      } else {
        current.append(line).append('\n');
      }
    }
    if (hasCode) {
      statements.add(current.toString().strip());
    }
    return statements;
  }

  public static String render(String template, Map<String, String> variables) {
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = variables.get(matcher.group(1));
      if (value == null) {
        throw new IllegalStateException("migration uses unknown placeholder {{" + matcher.group(1) + "}}");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  public static Map<String, String> variables(SinkConfig.ClickHouse config) {
    boolean cluster = config.cluster() != null;
    return Map.of(
        "database", config.database(),
        "on_cluster", cluster ? "ON CLUSTER '" + config.cluster() + "'" : "",
        "engine_prefix", cluster ? "Replicated" : "",
        "dedup_window_setting", cluster ? "replicated_deduplication_window" : "non_replicated_deduplication_window",
        "dedup_window", Integer.toString(config.dedupWindow()),
        "text_ttl_days", Long.toString(config.textTtl().toDays()),
        "row_ttl_days", Long.toString(config.rowTtl().toDays()));
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName().replace("'", "");
    } catch (IOException e) {
      return "unknown";
    }
  }
}

package io.llmtrace.stack.chdb;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The little SQL inspection the HTTP endpoint needs: spotting INSERTs whose data travels in the
 * request body, turning them into {@code INSERT ... FROM INFILE} (libchdb has no body stream), finding
 * an explicit output format, and substituting {@code {name:Type}} query parameters.
 */
final class Statements {

  private static final Pattern LEADING_NOISE = Pattern.compile("\\A(?:\\s+|--[^\\n]*\\n?|/\\*.*?\\*/)*", Pattern.DOTALL);
  private static final Pattern INSERT = Pattern.compile("(?i)INSERT\\b");
  private static final Pattern TRAILING_FORMAT = Pattern.compile("(?is)^(.*?)\\s+FORMAT\\s+([A-Za-z0-9_]+)\\s*;?\\s*$");
  private static final Pattern TRAILING_VALUES = Pattern.compile("(?is)^(.*?)\\s+VALUES\\s*;?\\s*$");
  private static final Pattern TRAILING_SETTINGS = Pattern.compile("(?is)^(.*?)\\s+(SETTINGS\\s+.*)$");
  private static final Pattern PARAMETER = Pattern.compile("\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*:\\s*([^{}]+?)\\s*}");

  private Statements() {}

  static boolean isInsert(String sql) {
    Matcher noise = LEADING_NOISE.matcher(sql);
    int start = noise.lookingAt() ? noise.end() : 0;
    return INSERT.matcher(sql).region(start, sql.length()).lookingAt();
  }

  /** The format named by a trailing {@code FORMAT x} clause, if any. */
  static Optional<String> explicitFormat(String sql) {
    Matcher matcher = TRAILING_FORMAT.matcher(sql);
    return matcher.matches() ? Optional.of(matcher.group(2)) : Optional.empty();
  }

  /**
   * Rewrites {@code INSERT INTO t [(cols)] [SETTINGS ..] FORMAT f} (or {@code VALUES}) whose rows are
   * in {@code dataFile} into the equivalent {@code FROM INFILE} statement. Without a format clause the
   * data is TabSeparated, as on a server.
   */
  static String insertFromFile(String insertSql, Path dataFile) {
    String head = insertSql.strip();
    String format = "TabSeparated";
    Matcher formatClause = TRAILING_FORMAT.matcher(head);
    Matcher valuesClause = TRAILING_VALUES.matcher(head);
    if (formatClause.matches()) {
      head = formatClause.group(1);
      format = formatClause.group(2);
    } else if (valuesClause.matches()) {
      head = valuesClause.group(1);
      format = "Values";
    }
    String settings = "";
    Matcher settingsClause = TRAILING_SETTINGS.matcher(head);
    if (settingsClause.matches()) {
      head = settingsClause.group(1);
      settings = " " + settingsClause.group(2);
    }
    return head + " FROM INFILE " + ChdbEngine.quoteString(dataFile.toAbsolutePath().toString()) + settings + " FORMAT " + format;
  }

  /**
   * Replaces {@code {name:Type}} with a typed literal from the request's {@code param_name} values, as
   * the server does for HTTP query parameters. Unknown names are left for the engine to reject.
   */
  static String substituteParameters(String sql, Map<String, String> parameters) {
    if (parameters.isEmpty()) {
      return sql;
    }
    Matcher matcher = PARAMETER.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = parameters.get(matcher.group(1));
      String type = matcher.group(2);
      String replacement;
      if (value == null) {
        replacement = matcher.group();
      } else if (type.toLowerCase(Locale.ROOT).equals("identifier")) {
        replacement = ChdbEngine.quoteIdentifier(value);
      } else {
        replacement = "CAST(" + ChdbEngine.quoteString(value) + " AS " + type + ")";
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}

package io.llmtrace.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** docs/BENCHMARKS.md is one file with a section per harness; each run replaces only its own section. */
final class BenchmarkReport {

  private static final String HEADER = """
      # Benchmarks

      Every figure here comes from a harness in `deploy/benchmarks` that measures llmtrace and its baseline
      in the same run on the same machine; compare the ratios, not the absolute numbers, across machines.

      """;

  private BenchmarkReport() {}

  /** The rows of a "store | state dir bytes | changelog records | per span" table, one per store, ending in a newline. */
  static String storeRows(Map<String, Long> storeBytes, Map<String, Long> changelogRecords, long spans) {
    StringBuilder rows = new StringBuilder();
    Set<String> names = new TreeSet<>(storeBytes.keySet());
    names.addAll(changelogRecords.keySet());
    for (String store : names) {
      long records = changelogRecords.getOrDefault(store, 0L);
      rows.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.3f |%n", store, storeBytes.getOrDefault(store, 0L), records,
          records / (double) spans));
    }
    return rows.toString().stripTrailing() + "\n";
  }

  static void replaceSection(Path file, String heading, String section) throws IOException {
    replaceSection(file, heading, section, null);
  }

  /**
   * Replaces the section under {@code heading} (up to the next {@code ## } heading) with {@code section}; a report
   * without it gets it before {@code nextHeading} when that heading is there (null: none), else at the end.
   */
  static void replaceSection(Path file, String heading, String section, String nextHeading) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : HEADER;
    int start = headingAt(text, heading);
    int before = nextHeading == null ? -1 : headingAt(text, nextHeading);
    String updated;
    if (start >= 0) {
      int next = text.indexOf("\n## ", start + heading.length());
      updated = text.substring(0, start) + section.strip() + "\n" + (next < 0 ? "" : text.substring(next));
    } else if (before >= 0) {
      updated = text.substring(0, before) + section.strip() + "\n\n" + text.substring(before);
    } else {
      updated = text.stripTrailing() + "\n\n" + section.strip() + "\n";
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }

  /** Where {@code heading} is a whole line of {@code text} (not the start of a longer heading), or -1. */
  static int headingAt(String text, String heading) {
    for (int at = text.indexOf(heading); at >= 0; at = text.indexOf(heading, at + 1)) {
      int end = at + heading.length();
      if ((at == 0 || text.charAt(at - 1) == '\n') && (end == text.length() || text.charAt(end) == '\n')) {
        return at;
      }
    }
    return -1;
  }
}

package io.llmtrace.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** docs/BENCHMARKS.md is one file with a section per harness; each run replaces only its own section. */
final class BenchmarkReport {

  private static final String HEADER = """
      # Benchmarks

      Every figure here comes from a harness in `deploy/benchmarks` that measures llmtrace and its baseline
      in the same run on the same machine; compare the ratios, not the absolute numbers, across machines.

      """;

  private BenchmarkReport() {}

  static void replaceSection(Path file, String heading, String section) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : HEADER;
    int start = text.indexOf(heading);
    String updated;
    if (start < 0) {
      updated = text.stripTrailing() + "\n\n" + section.strip() + "\n";
    } else {
      int next = text.indexOf("\n## ", start + heading.length());
      updated = text.substring(0, start) + section.strip() + "\n" + (next < 0 ? "" : text.substring(next));
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }
}

package io.llmtrace.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** The harnesses' scratch directories. */
final class WorkDirs {

  private WorkDirs() {}

  /**
   * {@code dir}, emptied of a previous run and created: every run starts its own broker and ClickHouse
   * from nothing, so record and row counts are this run's alone.
   */
  static Path fresh(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var walk = Files.walk(dir)) {
        for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    return Files.createDirectories(dir);
  }
}

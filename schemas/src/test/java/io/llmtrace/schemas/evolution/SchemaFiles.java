package io.llmtrace.schemas.evolution;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/** Reads the current .avsc sources and the released/broken copies kept as test resources. */
final class SchemaFiles {

  /** Surefire runs with the module directory as working directory. */
  static final Path CURRENT_DIR = Path.of("src", "main", "avro");

  private SchemaFiles() {}

  /** Names (file names without .avsc) of the current schemas, sorted. */
  static List<String> currentNames() {
    try (Stream<Path> files = Files.list(CURRENT_DIR)) {
      return files
          .map(path -> path.getFileName().toString())
          .filter(name -> name.endsWith(".avsc"))
          .map(name -> name.substring(0, name.length() - ".avsc".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + CURRENT_DIR.toAbsolutePath(), e);
    }
  }

  static Schema current(String name) {
    try {
      return new Schema.Parser().parse(CURRENT_DIR.resolve(name + ".avsc").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A schema from the test resources, e.g. {@code resource("released", "LlmSpan")}; null if absent. */
  static Schema resource(String folder, String name) {
    String path = "/" + folder + "/" + name + ".avsc";
    try (InputStream in = SchemaFiles.class.getResourceAsStream(path)) {
      return in == null ? null : new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

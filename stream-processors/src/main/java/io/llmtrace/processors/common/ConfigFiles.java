package io.llmtrace.processors.common;

import io.llmtrace.schemas.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Config files named by a setting: absent means the bundled default; named but missing stops the start. */
public final class ConfigFiles {

  private ConfigFiles() {}

  public static Optional<Path> optional(Settings settings, String key) {
    String value = settings.string(key, null);
    if (value == null) {
      return Optional.empty();
    }
    Path path = Path.of(value);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(key + " = " + value + ": no such file");
    }
    return Optional.of(path);
  }
}

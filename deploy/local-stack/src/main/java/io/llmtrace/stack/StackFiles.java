package io.llmtrace.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the stack keeps what it downloads (a cache outside the clone, shared by runs and test JVMs)
 * and what the build recorded about the broker and registry distributions.
 */
public final class StackFiles {

  private StackFiles() {}

  /** {@code llmtrace.cache.dir} / {@code LLMTRACE_CACHE_DIR}, else {@code $XDG_CACHE_HOME/llmtrace}, else {@code ~/.cache/llmtrace}. */
  public static Path cacheDir() {
    String configured = System.getProperty("llmtrace.cache.dir", System.getenv("LLMTRACE_CACHE_DIR"));
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("llmtrace");
  }

  /** The Kafka broker's classpath, resolved from Maven Central by the stack-runtime module's build. */
  static String kafkaClasspath() {
    return resource("kafka.classpath");
  }

  /** The Apicurio Registry distribution archive in the local Maven repository. */
  static Path apicurioArchive() {
    return Path.of(resource("apicurio.path"));
  }

  private static String resource(String name) {
    try (InputStream in = StackFiles.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("io/llmtrace/stack/" + name + " is not on the classpath: build deploy/stack-runtime first (mvn install)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The classpath entries (jar or classes directory) that hold the given classes. */
  static String classpathOf(Class<?>... classes) {
    List<String> entries = new ArrayList<>();
    for (Class<?> type : classes) {
      try {
        String entry = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        if (!entries.contains(entry)) {
          entries.add(entry);
        }
      } catch (URISyntaxException e) {
        throw new IllegalStateException("cannot locate the classpath entry of " + type.getName(), e);
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  /**
   * Runs {@code fill} once per {@code target} across processes: under a file lock, and only if the
   * marker written after a successful fill is absent. Parallel test JVMs therefore download once.
   */
  static Path once(Path target, IoAction fill) {
    Path marker = target.resolveSibling(target.getFileName() + ".complete");
    if (Files.exists(marker)) {
      return target;
    }
    try {
      Files.createDirectories(target.getParent());
      try (FileChannel channel = FileChannel.open(target.resolveSibling(target.getFileName() + ".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock ignored = channel.lock()) {
        if (!Files.exists(marker)) {
          deleteRecursively(target);
          fill.run();
          Files.writeString(marker, "ok\n");
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare " + target, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing " + target, e);
    }
  }

  /** Runs a command to completion, failing with its output when it exits non-zero or hangs. */
  static String run(Path dir, long timeoutSeconds, String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] output;
    try (InputStream in = process.getInputStream()) {
      output = in.readAllBytes();
    }
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException("`" + String.join(" ", command) + "` exited with " + process.exitValue() + ":\n" + text);
    }
    return text;
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** An I/O step that may be interrupted. */
  @FunctionalInterface
  interface IoAction {
    void run() throws IOException, InterruptedException;
  }
}

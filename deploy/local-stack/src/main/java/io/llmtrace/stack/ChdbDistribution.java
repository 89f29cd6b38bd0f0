package io.llmtrace.stack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * libchdb, the ClickHouse engine as a shared library, from the npm package
 * {@code @chdb/lib-linux-x64-gnu}: fetched once with {@code npm pack} into the cache directory,
 * checked against the pinned SHA-512 integrity before it is unpacked, and reused from then on.
 * {@code llmtrace.chdb.lib} / {@code LLMTRACE_CHDB_LIB} point at an existing {@code libchdb.so}
 * instead (air-gapped machines, other platforms).
 */
public final class ChdbDistribution {

  public static final String PACKAGE = "@chdb/lib-linux-x64-gnu";
  /** chDB 26.7.3 embeds the ClickHouse 26.7 engine. */
  public static final String VERSION = "26.7.3-stable.1";
  /** The npm registry's {@code dist.integrity} of the pinned tarball. */
  static final String INTEGRITY = "sha512-XP97mMqnc5tZpKQywR8N7cLTsHNiTmHr30pC5mzo3jWmukjKn2IBa60c2B/gWUNcuFjOMjWoorQICCqBVj5wpw==";

  private ChdbDistribution() {}

  /** The path of a verified {@code libchdb.so}, downloading it first if this machine has none. */
  public static Path library() {
    String override = System.getProperty("llmtrace.chdb.lib", System.getenv("LLMTRACE_CHDB_LIB"));
    if (override != null && !override.isBlank()) {
      Path lib = Path.of(override);
      if (!Files.isRegularFile(lib)) {
        throw new IllegalStateException("llmtrace.chdb.lib points at " + lib + ", which is not a file");
      }
      return lib;
    }
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new IllegalStateException("the pinned engine is " + PACKAGE + "@" + VERSION + " (Linux x86-64); on " + os + "/" + arch
          + " install the matching @chdb/lib-* package and set LLMTRACE_CHDB_LIB to its libchdb.so");
    }
    Path dir = StackFiles.cacheDir().resolve("chdb").resolve(VERSION);
    StackFiles.once(dir, () -> fetch(dir));
    return dir.resolve("libchdb.so");
  }

  private static void fetch(Path dir) throws IOException, InterruptedException {
    Path download = Files.createDirectories(dir.resolveSibling(VERSION + ".download"));
    try {
      String packed = StackFiles.run(download, 900, "npm", "pack", "--silent", PACKAGE + "@" + VERSION).strip();
      Path tarball = download.resolve(packed.lines().reduce((first, last) -> last).orElse(packed));
      String actual = integrity(tarball);
      if (!INTEGRITY.equals(actual)) {
        throw new IOException("checksum mismatch for " + PACKAGE + "@" + VERSION + ": expected " + INTEGRITY + ", got " + actual);
      }
      StackFiles.run(download, 300, "tar", "xzf", tarball.getFileName().toString(), "package/libchdb.so");
      Files.createDirectories(dir);
      Files.move(download.resolve("package/libchdb.so"), dir.resolve("libchdb.so"), StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(dir.resolve("SOURCE"), PACKAGE + "@" + VERSION + " " + INTEGRITY + "\n");
    } finally {
      StackFiles.deleteRecursively(download);
    }
  }

  static String integrity(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha512.update(buffer, 0, n);
      }
      return "sha512-" + Base64.getEncoder().encodeToString(sha512.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

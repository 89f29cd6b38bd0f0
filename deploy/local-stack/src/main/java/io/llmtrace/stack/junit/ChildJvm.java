package io.llmtrace.stack.junit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pipeline service started as its own JVM on the test's classpath, with its settings as system
 * properties, so a test can kill it with SIGKILL ({@link Process#destroyForcibly}: no shutdown hook, no
 * close, no commit) and start it again — what the exactly-once tests of every stateful service do.
 */
public final class ChildJvm {

  private ChildJvm() {}

  /** Starts {@code mainClass} with {@code -D<key>=<value>} per setting, output appended to {@code log}. */
  public static Process start(Class<?> mainClass, Map<String, String> settings, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }
}

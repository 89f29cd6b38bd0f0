package io.llmtrace.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child process of the local stack: started with its output appended to {@code logs/<name>.log},
 * its pid recorded in {@code <name>.pid} so that a process left over from a crashed run is found and
 * stopped before a new one takes its ports, and stopped with SIGTERM first, SIGKILL after a grace period.
 */
final class ManagedProcess {

  private static final Logger LOG = LoggerFactory.getLogger(ManagedProcess.class);
  /** Every child carries this system property so that a stale pid is only killed if it is ours. */
  static final String MARKER_PROPERTY = "llmtrace.stack.service";

  private final String name;
  private final Path workDir;
  private final List<String> command;
  private Process process;

  ManagedProcess(String name, Path workDir, List<String> command) {
    this.name = name;
    this.workDir = workDir;
    this.command = List.copyOf(command);
  }

  /** The {@code java} command of the running JVM, with the marker and the given JVM options. */
  static List<String> javaCommand(String serviceName, List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-D" + MARKER_PROPERTY + "=" + serviceName);
    cmd.addAll(jvmOptions);
    return cmd;
  }

  Path logFile() {
    return workDir.resolve("logs").resolve(name + ".log");
  }

  private Path pidFile() {
    return workDir.resolve(name + ".pid");
  }

  synchronized void start() {
    if (isAlive()) {
      return;
    }
    try {
      Files.createDirectories(logFile().getParent());
      stopStale();
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
      process = builder.start();
      Files.writeString(pidFile(), Long.toString(process.pid()));
      LOG.info("started {} (pid {}), log {}", name, process.pid(), logFile());
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + String.join(" ", command), e);
    }
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGTERM, wait up to {@code grace}, then SIGKILL. */
  synchronized void stop(Duration grace) {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("{} did not stop within {}; killing it", name, grace);
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
    deletePidFile();
  }

  /** SIGKILL, as a crash would: no shutdown hooks run in the child. */
  synchronized void kill() {
    if (process == null) {
      return;
    }
    // A native service runs under a wrapper JVM (NativeChild), which SIGKILL gives no chance to stop it.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deletePidFile();
  }

  /** The last lines of the log, to put into a failure message. */
  String logTail(int lines) {
    try {
      if (!Files.exists(logFile())) {
        return "(no log)";
      }
      List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private void stopStale() throws IOException {
    if (!Files.exists(pidFile())) {
      return;
    }
    String pidText = Files.readString(pidFile()).strip();
    Optional<ProcessHandle> stale = pidText.matches("\\d+") ? ProcessHandle.of(Long.parseLong(pidText)) : Optional.empty();
    stale.filter(ProcessHandle::isAlive)
        .filter(handle -> handle.info().commandLine().orElse("").contains(MARKER_PROPERTY + "=" + name))
        .ifPresent(handle -> {
          LOG.warn("stopping {} left over from an earlier run (pid {})", name, handle.pid());
          handle.descendants().forEach(ProcessHandle::destroyForcibly);
          handle.destroyForcibly();
          handle.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        });
    deletePidFile();
  }

  private void deletePidFile() {
    try {
      Files.deleteIfExists(pidFile());
    } catch (IOException e) {
      LOG.debug("could not delete {}", pidFile(), e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}

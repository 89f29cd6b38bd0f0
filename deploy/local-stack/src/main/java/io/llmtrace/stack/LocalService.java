package io.llmtrace.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A service of the local stack run as a child process: prepared (config files, downloads), started,
 * awaited until its health check passes, and stopped or killed on demand so that tests can take it
 * away mid-flight. Restarting keeps the data directory, as a real server restart would.
 */
public abstract class LocalService implements AutoCloseable {

  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final String name;
  protected final Path workDir;
  private final Duration startTimeout;
  private ManagedProcess process;

  protected LocalService(String name, Path workDir, Duration startTimeout) {
    this.name = name;
    this.workDir = workDir;
    this.startTimeout = startTimeout;
  }

  public final String name() {
    return name;
  }

  /** Writes config and fetches what the command needs; called before every start. */
  protected abstract void prepare() throws Exception;

  protected abstract List<String> command();

  /** A quick probe of the running service; never throws. */
  public abstract Health health();

  /** Starts the process (if not running) and returns once healthy. */
  public final synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    try {
      prepare();
    } catch (Exception e) {
      throw new IllegalStateException("could not prepare " + name + ": " + e.getMessage(), e);
    }
    process = new ManagedProcess(name, workDir, command());
    process.start();
    try {
      Await.until(startTimeout, name + " to become healthy", () -> {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited during start-up");
        }
        return health().healthy();
      });
    } catch (IllegalStateException e) {
      String tail = process.logTail(40);
      process.kill();
      throw new IllegalStateException(e.getMessage() + "; last lines of " + process.logFile() + ":\n" + tail, e);
    }
  }

  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). */
  public final synchronized void stop() {
    if (process != null) {
      process.stop(STOP_GRACE);
    }
  }

  /** Abrupt stop, as a crash or power loss would do it. */
  public final synchronized void kill() {
    if (process != null) {
      process.kill();
    }
  }

  public final synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public final Path logFile() {
    return workDir.resolve("logs").resolve(name + ".log");
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Whether child JVMs run for a quick start (the default: client compiler only and the serial
   * collector, seconds faster to healthy, which is what tests and a local run need) or like a production
   * server (both JIT tiers, the JVM's default collector), which benchmarks need so that the broker and the
   * endpoints are not what they measure: {@code llmtrace.stack.jvm=server} (or {@code LLMTRACE_STACK_JVM}).
   */
  static boolean fastStart() {
    String mode = StackConfig.setting("llmtrace.stack.jvm", "fast-start").strip();
    return switch (mode) {
      case "fast-start" -> true;
      case "server" -> false;
      default -> throw new IllegalArgumentException("llmtrace.stack.jvm must be fast-start or server, got '" + mode + "'");
    };
  }

  /** The JVM options every child of the stack gets, plus the parent watch so none outlives us. */
  protected static List<String> childJvm(String service, String heap, List<String> extraOptions, String classpath,
      String mainClass, List<String> args) {
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
    if (fastStart()) {
      jvm.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    }
    List<String> cmd = ManagedProcess.javaCommand(service, jvm);
    cmd.addAll(extraOptions);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(ParentWatch.class.getName());
    cmd.add(Long.toString(ProcessHandle.current().pid()));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }
}

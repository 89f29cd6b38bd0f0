package io.llmtrace.stack;

import java.util.concurrent.TimeUnit;

/**
 * Runs a native executable (not a JVM) as a service of the stack: {@code NativeChild <executable> <args...>},
 * itself started under {@link ParentWatch}. The executable cannot watch the test JVM's pid the way our JVM
 * children do, so this small JVM does it for it: when the parent is gone (or on SIGTERM), its shutdown hook
 * stops the executable, SIGTERM first, SIGKILL after a grace period. The executable's output goes to this
 * JVM's, which {@link ManagedProcess} appends to the service's log.
 */
public final class NativeChild {

  private static final long STOP_GRACE_SECONDS = 20;

  private NativeChild() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: NativeChild <executable> [args...]");
    }
    Process child = new ProcessBuilder(args).inheritIO().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      child.destroy();
      try {
        if (!child.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      } catch (InterruptedException e) {
        child.destroyForcibly();
      }
    }, "native-child-stop"));
    System.exit(child.waitFor());
  }
}

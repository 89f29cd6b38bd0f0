package io.llmtrace.stack;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * Keeps child processes of the local stack from outliving the process that started them. A test JVM
 * killed with SIGKILL runs no shutdown hook, so each child watches its parent's pid and exits (running
 * its own shutdown hooks: Kafka's controlled shutdown, for one) once the parent is gone. Used as a
 * main-class wrapper: {@code ParentWatch <parent pid> <real main class> <args...>}.
 */
public final class ParentWatch {

  private ParentWatch() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: ParentWatch <parent pid> <main class> [args...]");
    }
    exitWhenGone(Long.parseLong(args[0]));
    Method main = Class.forName(args[1]).getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
  }

  /** Starts a daemon thread that exits this JVM when {@code parentPid} is no longer alive. */
  public static void exitWhenGone(long parentPid) {
    Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
    if (parent.isEmpty()) {
      System.exit(3);
    }
    Thread watcher = new Thread(() -> {
      parent.get().onExit().join();
      System.err.println("parent process " + parentPid + " is gone; shutting down");
      System.exit(0);
    }, "parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }
}

package io.llmtrace.stack.chdb;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves and restores the host JVM's handlers for the signals libchdb touches. The JVM depends on its
 * SIGSEGV/SIGBUS/SIGILL/SIGFPE handlers (implicit null checks, safepoint polls); chDB either installs
 * its own crash handlers or, when told not to, resets those signals to SIG_DFL. Either way a JVM that
 * embeds it would die on its first NullPointerException, so the engine is opened between
 * {@link #save()} and {@link Saved#restore()}.
 */
final class Signals {

  private interface LibC extends Library {
    int sigaction(int signal, Pointer action, Pointer oldAction);
  }

  /** Linux numbers: ABRT, SEGV, ILL, BUS, SYS, FPE, TSTP, TRAP. */
  private static final int[] LINUX_SIGNALS = {6, 11, 4, 7, 31, 8, 20, 5};
  /** Larger than {@code struct sigaction} on every libc this runs on (152 bytes on glibc x86-64). */
  private static final int SIGACTION_BYTES = 512;

  private Signals() {}

  static Saved save() {
    LibC libc = Native.load("c", LibC.class);
    Map<Integer, Memory> saved = new LinkedHashMap<>();
    for (int signal : LINUX_SIGNALS) {
      Memory old = new Memory(SIGACTION_BYTES);
      old.clear();
      if (libc.sigaction(signal, Pointer.NULL, old) == 0) {
        saved.put(signal, old);
      }
    }
    return new Saved(libc, saved);
  }

  /** Handlers captured by {@link #save()}. */
  static final class Saved {
    private final LibC libc;
    private final Map<Integer, Memory> handlers;

    private Saved(LibC libc, Map<Integer, Memory> handlers) {
      this.libc = libc;
      this.handlers = handlers;
    }

    void restore() {
      handlers.forEach((signal, action) -> libc.sigaction(signal, action, Pointer.NULL));
    }
  }
}

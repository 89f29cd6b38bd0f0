package io.llmtrace.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a machine's CPU went during a measured interval, read from Linux's {@code /proc}: the CPU time
 * of named processes and the busy time of the whole machine, so a benchmark can say how many cores the
 * server, the broker and the load generator each used. Without {@code /proc} it measures nothing (an empty map).
 */
final class CpuMeter {

  /** Linux's USER_HZ: /proc reports CPU times in these ticks on every architecture it runs on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final Map<String, Long> pids;
  private final boolean available = Files.isReadable(Path.of("/proc/stat"));
  private Map<String, Long> startTicks;
  private long startMachineBusy;
  private long startNanos;

  /** The processes to account for, by name; the rest of the machine's busy time is reported as "other". */
  CpuMeter(Map<String, Long> pids) {
    this.pids = new LinkedHashMap<>(pids);
  }

  void start() {
    if (!available) {
      return;
    }
    startTicks = processTicks();
    startMachineBusy = machineBusyTicks();
    startNanos = System.nanoTime();
  }

  /** Cores used by each named process since {@link #start()}, then "other" (the rest of the machine's busy time). */
  Map<String, Double> stop() {
    if (!available) {
      return Map.of();
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Long> end = processTicks();
    Map<String, Double> cores = new LinkedHashMap<>();
    long named = 0;
    for (Map.Entry<String, Long> entry : end.entrySet()) {
      long used = entry.getValue() - startTicks.getOrDefault(entry.getKey(), entry.getValue());
      named += used;
      cores.put(entry.getKey(), used / TICKS_PER_SECOND / seconds);
    }
    cores.put("other", Math.max(0, machineBusyTicks() - startMachineBusy - named) / TICKS_PER_SECOND / seconds);
    return cores;
  }

  private Map<String, Long> processTicks() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    pids.forEach((name, pid) -> ticks.put(name, processTicks(pid)));
    return ticks;
  }

  /** utime + stime of a process (fields 14 and 15 of /proc/PID/stat, counted after the parenthesised command). */
  static long processTicks(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** All non-idle time of all CPUs (the first line of /proc/stat without idle and iowait). */
  static long machineBusyTicks() {
    String[] fields = read(Path.of("/proc/stat")).lines().findFirst().orElseThrow().trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < Math.min(fields.length, 9); i++) {
      if (i != 4 && i != 5) {
        busy += Long.parseLong(fields[i]);
      }
    }
    return busy;
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
  }
}

package io.llmtrace.processors.redaction;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A detector made of precompiled regexes, a pre-filter and an optional validator. When a pattern
 * has capturing groups, the first group that matched is the sensitive part (the value of
 * {@code password=...}); otherwise the whole match is.
 */
public record PatternDetector(String name, List<Pattern> patterns, Prefilter prefilter, Refiner refiner)
    implements Detector {

  /** Cheap test that must pass before any regex runs. */
  @FunctionalInterface
  public interface Prefilter {
    Prefilter ALWAYS = (text, profile) -> true;

    boolean mayMatch(String text, TextProfile profile);
  }

  /** Validates a candidate [start, end) and returns its (possibly shortened) end, or -1 to reject. */
  @FunctionalInterface
  public interface Refiner {
    Refiner ACCEPT = (text, start, end) -> end;

    int refine(String text, int start, int end);
  }

  public PatternDetector {
    patterns = List.copyOf(patterns);
  }

  @Override
  public void scan(String text, TextProfile profile, List<Finding> out) {
    if (!prefilter.mayMatch(text, profile)) {
      return;
    }
    for (Pattern p : patterns) {
      Matcher m = p.matcher(text);
      while (m.find()) {
        int g = firstMatchedGroup(m);
        int start = g < 0 ? m.start() : m.start(g);
        int end = g < 0 ? m.end() : m.end(g);
        if (end <= start) {
          continue;
        }
        int refined = refiner.refine(text, start, end);
        if (refined > start) {
          out.add(new Finding(name, start, refined));
        }
      }
    }
  }

  private static int firstMatchedGroup(Matcher m) {
    for (int g = 1, n = m.groupCount(); g <= n; g++) {
      if (m.start(g) >= 0) {
        return g;
      }
    }
    return -1;
  }
}

package io.llmtrace.processors.redaction;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A detector made of precompiled regexes, a pre-filter and an optional validator. When a pattern
 * has capturing groups, the first group that matched is the sensitive part (the value of
 * {@code password=...}); otherwise the whole match is.
 */
public record PatternDetector(
    String name, List<Pattern> patterns, Prefilter prefilter, Refiner refiner, List<Starts> starts)
    implements Detector {

  /** No candidate filter: the regex is tried at every index. */
  static final Starts EVERYWHERE = (text, profile) -> null;

  public PatternDetector(String name, List<Pattern> patterns, Prefilter prefilter, Refiner refiner) {
    this(name, patterns, prefilter, refiner, java.util.Collections.nCopies(patterns.size(), EVERYWHERE));
  }

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
    starts = List.copyOf(starts);
    if (starts.size() != patterns.size()) {
      throw new IllegalArgumentException(name + ": one Starts per pattern");
    }
  }

  @Override
  public void scan(String text, TextProfile profile, List<Finding> out) {
    if (!prefilter.mayMatch(text, profile)) {
      return;
    }
    for (int k = 0; k < patterns.size(); k++) {
      int[] candidates = starts.get(k).of(text, profile);
      if (candidates != null && candidates.length == 0) {
        continue;
      }
      Matcher m = patterns.get(k).matcher(text);
      if (candidates == null) {
        while (m.find()) {
          add(text, m, out);
        }
        continue;
      }
      // Same matches as find(): leftmost first, the next search from the end of the previous match.
      m.useTransparentBounds(true).useAnchoringBounds(false);
      int from = 0;
      int n = text.length();
      for (int c : candidates) {
        if (c < from) {
          continue;
        }
        m.region(c, n);
        if (m.lookingAt()) {
          add(text, m, out);
          from = m.end() > c ? m.end() : c + 1;
        }
      }
    }
  }

  private void add(String text, Matcher m, List<Finding> out) {
    int g = firstMatchedGroup(m);
    int start = g < 0 ? m.start() : m.start(g);
    int end = g < 0 ? m.end() : m.end(g);
    if (end <= start) {
      return;
    }
    int refined = refiner.refine(text, start, end);
    if (refined > start) {
      out.add(new Finding(name, start, refined));
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

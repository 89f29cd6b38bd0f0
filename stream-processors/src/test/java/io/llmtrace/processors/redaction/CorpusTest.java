package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Recall per class and overall precision of the default policy on the labelled corpus. Recall: a
 * labelled line counts as found when its detector fires on it. Precision: over the regions the
 * redactor actually reports (overlaps merged, attributed by priority), a region is correct only when
 * its detector equals the line's label; every region on a {@code none} line and every region of
 * another detector (even a genuine IP inside a DSN) counts as a false positive.
 */
class CorpusTest {

  private static final Set<String> MUST_BE_COMPLETE = Set.of(
      "email", "payment_card", "private_key", "url_credentials", "bearer_token", "jwt", "aws_access_key_id",
      "aws_secret_key", "github_token", "stripe_key", "llm_api_key", "slack_token", "google_api_key",
      "secret_assignment");

  record Line(String label, String text) {}

  @Test
  void recallIsCompleteForSecretsCardsAndEmailsAndPrecisionAtLeast95Percent() throws IOException {
    List<Line> corpus = load();
    TextRedactor text = new Redactor(RedactionPolicy.loadDefault(RedactionPolicyTest.ENV::get)).textRedactor(null);
    Map<String, int[]> recall = new TreeMap<>(); // label -> {found, total}
    int detectedRegions = 0;
    int correctRegions = 0;
    List<String> misses = new ArrayList<>();
    for (Line l : corpus) {
      Set<String> fired = rawDetectors(text, l.text());
      boolean labelled = !l.label().equals("none");
      if (labelled) {
        int[] r = recall.computeIfAbsent(l.label(), k -> new int[2]);
        r[1]++;
        if (fired.contains(l.label())) {
          r[0]++;
        } else {
          misses.add("MISS " + l.label() + " got " + fired + ": " + l.text());
        }
      }
      for (Finding f : text.findings(l.text())) {
        detectedRegions++;
        if (f.detector().equals(l.label())) {
          correctRegions++;
        } else {
          misses.add("FP   " + l.label() + " got " + f.detector() + " '" + l.text().substring(f.start(), f.end()) + "': " + l.text());
        }
      }
    }
    double precision = detectedRegions == 0 ? 1.0 : (double) correctRegions / detectedRegions;
    System.out.printf("corpus: %d lines, %d labelled%n", corpus.size(), corpus.stream().filter(l -> !l.label().equals("none")).count());
    recall.forEach((k, v) -> System.out.printf("  recall %-20s %3d/%3d = %.1f%%%n", k, v[0], v[1], 100.0 * v[0] / v[1]));
    System.out.printf("  precision (regions)  %d/%d = %.2f%%%n", correctRegions, detectedRegions, 100 * precision);
    misses.forEach(m -> System.out.println("  " + m));

    assertThat(corpus).hasSizeGreaterThanOrEqualTo(300);
    for (String k : MUST_BE_COMPLETE) {
      assertThat(recall).as("corpus has examples of %s", k).containsKey(k);
      assertThat(recall.get(k)[0]).as("recall of %s", k).isEqualTo(recall.get(k)[1]);
    }
    assertThat(precision).isGreaterThanOrEqualTo(0.95);
  }

  /** Detectors that fired, before overlap merging (so a JWT inside a bearer header counts for both). */
  private static Set<String> rawDetectors(TextRedactor text, String s) {
    List<Finding> out = new ArrayList<>();
    TextProfile p = TextProfile.of(s);
    RedactionPolicy policy = RedactionPolicy.loadDefault(RedactionPolicyTest.ENV::get);
    policy.base().detectors().forEach(d -> d.scan(s, p, out));
    return out.stream().map(Finding::detector).collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  static List<Line> load() throws IOException {
    try (InputStream in = CorpusTest.class.getResourceAsStream("/redaction/corpus.tsv")) {
      List<Line> lines = new ArrayList<>();
      for (String raw : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (raw.isBlank() || raw.startsWith("#")) {
          continue;
        }
        int tab = raw.indexOf('\t');
        lines.add(new Line(raw.substring(0, tab), raw.substring(tab + 1).replace("\\n", "\n")));
      }
      return lines;
    }
  }
}

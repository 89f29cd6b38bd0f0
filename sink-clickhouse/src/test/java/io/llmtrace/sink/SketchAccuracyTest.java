package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.llmtrace.schemas.avro.SketchBins;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The sketches the metric windows carry, in Java: on skewed data (lognormal and Pareto), p50/p95/p99 of
 * one window and of 60 merged windows are within 1% of the exact values, and adding the windows' bins
 * index by index (what sumMap does in metrics_1h/metrics_1d) is the library's own merge, bin for bin.
 * SketchAccuracyIT asks the same of the ClickHouse rollup.
 */
class SketchAccuracyTest {

  static final double[] QUANTILES = {0.5, 0.95, 0.99};
  /** 1%, plus room for the last bits of the floating-point mapping at a bin's edge. */
  static final double MAX_RELATIVE_ERROR = 0.01 * (1 + 1e-9);

  @Test
  void lognormalLatenciesOfOneWindowAndOfAnHourAreWithinOnePercent() {
    // Given 60 one-minute windows of lognormal latencies (median ~665 ms, sigma 1), ten of them three times slower
    Random random = new Random(20260604L);
    List<double[]> windows = windows(minute -> Sketches.lognormal(random, 500 + random.nextInt(2_500),
        minute >= 30 && minute < 40 ? 7.6 : 6.5, 1.0));

    assertAccurateAloneAndMerged("lognormal", windows);
  }

  @Test
  void paretoValuesOfOneWindowAndOfAnHourAreWithinOnePercent() {
    // Given 60 windows of Pareto(100, 1.3) values: a tail where p99 is ~30 times the median
    Random random = new Random(42L);
    List<double[]> windows = windows(minute -> Sketches.pareto(random, 200 + random.nextInt(3_000), 100, 1.3));

    assertAccurateAloneAndMerged("pareto", windows);
  }

  @Test
  void tinyAndZeroValuesCountAsZerosAndQuantilesStillHold() {
    // Given a window with zeros (free cached calls) among sub-cent costs
    Random random = new Random(7L);
    double[] costs = Sketches.pareto(random, 5_000, 0.0004, 1.5);
    for (int i = 0; i < 600; i++) {
      costs[i] = 0.0;
    }
    DDSketch sketch = Sketches.of(costs);
    SketchBins bins = Sketches.bins(sketch);
    assertThat(bins.getZeroCount()).isEqualTo(600);
    double[] sorted = Sketches.sortedCopy(costs);
    for (double q : new double[] {0.05, 0.5, 0.95, 0.99}) {
      double exact = Sketches.exactQuantile(sorted, q);
      double estimate = sketch.getValueAtQuantile(q);
      if (exact == 0) {
        assertThat(estimate).as("q=%s", q).isZero();
      } else {
        assertThat(relativeError(estimate, exact)).as("q=%s", q).isLessThanOrEqualTo(MAX_RELATIVE_ERROR);
      }
    }
  }

  private static List<double[]> windows(IntFunction<double[]> minute) {
    List<double[]> windows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      windows.add(minute.apply(i));
    }
    return windows;
  }

  private static void assertAccurateAloneAndMerged(String name, List<double[]> windows) {
    // When each window is a sketch, as the stream app sends it
    List<SketchBins> sent = new ArrayList<>();
    DDSketch merged = Sketches.of(new double[0]);
    double worstSingle = 0;
    for (double[] window : windows) {
      DDSketch sketch = Sketches.of(window);
      sent.add(Sketches.bins(sketch));
      merged.mergeWith(sketch);
      // Then every window's quantiles are within 1% of its exact ones
      double[] sorted = Sketches.sortedCopy(window);
      for (double q : QUANTILES) {
        double error = relativeError(sketch.getValueAtQuantile(q), Sketches.exactQuantile(sorted, q));
        assertThat(error).as("%s window q=%s", name, q).isLessThanOrEqualTo(MAX_RELATIVE_ERROR);
        worstSingle = Math.max(worstSingle, error);
      }
    }

    // and the hour's, merged, too
    double[] hour = Sketches.sortedCopy(windows.toArray(double[][]::new));
    StringBuilder figures = new StringBuilder();
    for (double q : QUANTILES) {
      double exact = Sketches.exactQuantile(hour, q);
      double error = relativeError(merged.getValueAtQuantile(q), exact);
      assertThat(error).as("%s hour q=%s", name, q).isLessThanOrEqualTo(MAX_RELATIVE_ERROR);
      figures.append(String.format(" p%s exact %.3f sketch %.3f error %.5f;", Math.round(q * 100), exact,
          merged.getValueAtQuantile(q), error));
    }

    // and the bins added index by index are the merged sketch's bins, with the same quantiles
    SortedMap<Integer, Long> summed = Sketches.sum(sent);
    SketchBins mergedBins = Sketches.bins(merged);
    SortedMap<Integer, Long> expected = new TreeMap<>();
    for (int i = 0; i < mergedBins.getIndexes().size(); i++) {
      expected.put(mergedBins.getIndexes().get(i), mergedBins.getCounts().get(i));
    }
    assertThat(summed).isEqualTo(expected);
    DDSketch rebuilt = Sketches.fromBins(summed, 0);
    for (double q : QUANTILES) {
      assertThat(rebuilt.getValueAtQuantile(q)).as("q=%s", q).isEqualTo(merged.getValueAtQuantile(q));
    }
    System.out.printf("%s: %d values in 60 windows, worst single-window error %.5f;%s%n", name, hour.length, worstSingle, figures);
  }

  static double relativeError(double estimate, double exact) {
    return Math.abs(estimate - exact) / exact;
  }
}

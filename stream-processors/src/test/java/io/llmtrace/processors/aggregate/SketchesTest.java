package io.llmtrace.processors.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.llmtrace.processors.aggregate.state.Bins;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The window state's bins against the library: the same values give the same quantiles as a DDSketch
 * fed directly, and 60 one-minute windows merged by adding bin counts stay within 1% of the exact
 * quantiles on skewed (lognormal and Pareto) latencies.
 */
class SketchesTest {

  @Test
  void binsGiveTheQuantilesOfADDSketchFedTheSameValues() {
    Random random = new Random(3);
    Bins bins = Sketches.empty();
    DDSketch direct = new DDSketch(new LogarithmicMapping(Sketches.RELATIVE_ACCURACY), UnboundedSizeDenseStore::new);
    for (int i = 0; i < 20_000; i++) {
      double value = i % 97 == 0 ? 0 : Math.exp(5 + 2 * random.nextGaussian());
      Sketches.add(bins, value, 1);
      direct.accept(value);
    }
    DDSketch fromBins = Sketches.toSketch(bins);
    for (double q : new double[] {0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1}) {
      assertThat(fromBins.getValueAtQuantile(q)).as("q=%s", q).isEqualTo(direct.getValueAtQuantile(q));
    }
    assertThat(Sketches.total(bins)).isEqualTo(20_000);
  }

  @Test
  void sixtyMergedWindowsStayWithinOnePercentOnSkewedData() {
    Random random = new Random(5);
    List<Double> all = new ArrayList<>();
    DDSketch merged = new DDSketch(new LogarithmicMapping(Sketches.RELATIVE_ACCURACY), UnboundedSizeDenseStore::new);
    for (int minute = 0; minute < 60; minute++) {
      Bins window = Sketches.empty();
      for (int i = 0; i < 500; i++) {
        double value = minute % 2 == 0 ? Math.exp(6 + 1.5 * random.nextGaussian()) : 100 / Math.pow(1 - random.nextDouble(), 1 / 1.5);
        all.add(value);
        Sketches.add(window, value, 1);
      }
      merged.mergeWith(Sketches.toSketch(Sketches.fromRecord(Sketches.toRecord(window))));
    }
    all.sort(null);
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      double exact = all.get((int) Math.floor(q * (all.size() - 1)));
      assertThat(Math.abs(merged.getValueAtQuantile(q) - exact) / exact).as("q=%s", q).isLessThanOrEqualTo(0.01);
    }
  }

  @Test
  void takingAValueBackOutRestoresTheBins() {
    Bins bins = Sketches.empty();
    Sketches.add(bins, 120, 1);
    Sketches.add(bins, 950, 1);
    Sketches.add(bins, 950, -1);

    assertThat(Sketches.toRecord(bins).getIndexes()).hasSize(1);
    assertThat(Sketches.quantile(bins, 1.0)).isEqualTo(Sketches.quantile(bins, 0.0));
  }
}

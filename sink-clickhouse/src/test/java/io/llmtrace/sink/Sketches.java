package io.llmtrace.sink;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.store.Bin;
import io.llmtrace.schemas.avro.SketchBins;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * DDSketches of sketches-java as the stream app builds them (LogarithmicMapping at 1%, unbounded dense
 * store), their {@link SketchBins} form, and the skewed samples the accuracy tests feed them.
 */
final class Sketches {

  static final double ACCURACY = 0.01;

  private Sketches() {}

  static DDSketch of(double[] values) {
    DDSketch sketch = DDSketches.logarithmicUnboundedDense(ACCURACY);
    for (double value : values) {
      sketch.accept(value);
    }
    return sketch;
  }

  /** The sketch's bins as the contract carries them: relative accuracy as the mapping reports it. */
  static SketchBins bins(DDSketch sketch) {
    List<Integer> indexes = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    long positive = 0;
    for (Iterator<Bin> bins = sketch.getPositiveValueStore().getAscendingIterator(); bins.hasNext(); ) {
      Bin bin = bins.next();
      indexes.add(bin.getIndex());
      counts.add((long) bin.getCount());
      positive += (long) bin.getCount();
    }
    if (!sketch.getNegativeValueStore().isEmpty()) {
      throw new IllegalArgumentException("the contract holds sketches of non-negative values only");
    }
    return SketchBins.newBuilder().setRelativeAccuracy(sketch.getIndexMapping().relativeAccuracy())
        .setZeroCount((long) sketch.getCount() - positive).setIndexes(indexes).setCounts(counts).build();
  }

  /** A sketch rebuilt from bins (zeros included), to ask the library for its quantiles. */
  static DDSketch fromBins(SortedMap<Integer, Long> bins, long zeroCount) {
    DDSketch sketch = DDSketches.logarithmicUnboundedDense(ACCURACY);
    bins.forEach((index, count) -> sketch.getPositiveValueStore().add(index, count));
    if (zeroCount > 0) {
      sketch.accept(0.0, zeroCount);
    }
    return sketch;
  }

  /** Bins added index by index: what sumMap does with the tables' Map(Int32, UInt64) columns. */
  static SortedMap<Integer, Long> sum(List<SketchBins> sketches) {
    SortedMap<Integer, Long> sum = new TreeMap<>();
    for (SketchBins sketch : sketches) {
      for (int i = 0; i < sketch.getIndexes().size(); i++) {
        sum.merge(sketch.getIndexes().get(i), sketch.getCounts().get(i), Long::sum);
      }
    }
    return sum;
  }

  /** The value of rank floor(q * (n - 1)) of the sorted values: what DDSketch's quantile approximates. */
  static double exactQuantile(double[] sorted, double q) {
    return sorted[(int) Math.floor(q * (sorted.length - 1))];
  }

  static double[] sortedCopy(double[]... parts) {
    int length = Arrays.stream(parts).mapToInt(part -> part.length).sum();
    double[] all = new double[length];
    int at = 0;
    for (double[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    Arrays.sort(all);
    return all;
  }

  /** Lognormal latencies in ms (median e^mu), the long right tail LLM calls have. */
  static double[] lognormal(Random random, int n, double mu, double sigma) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = Math.exp(mu + sigma * random.nextGaussian());
    }
    return values;
  }

  /** Pareto values (scale xm, shape alpha): a heavier tail still, as costs and retried workflows have. */
  static double[] pareto(Random random, int n, double xm, double alpha) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = xm / Math.pow(1 - random.nextDouble(), 1 / alpha);
    }
    return values;
  }
}

package io.llmtrace.processors.aggregate;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.llmtrace.processors.aggregate.state.Bins;
import io.llmtrace.schemas.avro.SketchBins;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * DDSketch bins kept in the window state as sorted (index, count) arrays, so that a span costs one index
 * computation and one binary search instead of decoding a sketch; the index mapping and every quantile
 * come from the library ({@link LogarithmicMapping}, {@link DDSketch#getValueAtQuantile}), so the bins
 * merge exactly with any DDSketch of the same relative accuracy — in Java or in ClickHouse (sumMap).
 * Values are non-negative (latencies, costs): 0 and values below the mapping's range count as zeros.
 */
public final class Sketches {

  public static final double RELATIVE_ACCURACY = 0.01;
  static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);

  private Sketches() {}

  public static Bins empty() {
    return new Bins(0L, new ArrayList<>(), new ArrayList<>());
  }

  /** Adds {@code count} (may be negative, to take a value back out) observations of {@code value}. */
  public static void add(Bins bins, double value, long count) {
    if (!(value > MAPPING.minIndexableValue())) {
      bins.setZeroCount(bins.getZeroCount() + count);
      return;
    }
    int index = MAPPING.index(Math.min(value, MAPPING.maxIndexableValue()));
    List<Integer> indexes = bins.getIndexes();
    int at = Collections.binarySearch(indexes, index);
    if (at >= 0) {
      bins.getCounts().set(at, bins.getCounts().get(at) + count);
    } else {
      indexes.add(-at - 1, index);
      bins.getCounts().add(-at - 1, count);
    }
  }

  public static long total(Bins bins) {
    long total = bins.getZeroCount();
    for (long count : bins.getCounts()) {
      total += count;
    }
    return total;
  }

  /** The library's sketch over these bins (for quantiles). */
  public static DDSketch toSketch(Bins bins) {
    UnboundedSizeDenseStore positive = new UnboundedSizeDenseStore();
    for (int i = 0; i < bins.getIndexes().size(); i++) {
      long count = bins.getCounts().get(i);
      if (count > 0) {
        positive.add(bins.getIndexes().get(i), count);
      }
    }
    // DDSketch.of takes the negative-value store first
    return DDSketch.of(MAPPING, new UnboundedSizeDenseStore(), positive, Math.max(0, bins.getZeroCount()));
  }

  /** The bins as the topic carries them (empty bins dropped); null when there is nothing. */
  public static SketchBins toRecord(Bins bins) {
    List<Integer> indexes = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < bins.getIndexes().size(); i++) {
      if (bins.getCounts().get(i) > 0) {
        indexes.add(bins.getIndexes().get(i));
        counts.add(bins.getCounts().get(i));
      }
    }
    if (indexes.isEmpty() && bins.getZeroCount() <= 0) {
      return null;
    }
    return new SketchBins(RELATIVE_ACCURACY, Math.max(0, bins.getZeroCount()), indexes, counts);
  }

  /** Bins read back from a published record (to merge windows). */
  public static Bins fromRecord(SketchBins record) {
    return new Bins(record.getZeroCount(), new ArrayList<>(record.getIndexes()), new ArrayList<>(record.getCounts()));
  }

  /** Quantile from bins; null when empty. */
  public static Double quantile(Bins bins, double q) {
    DDSketch sketch = toSketch(bins);
    return sketch.isEmpty() ? null : sketch.getValueAtQuantile(q);
  }

  /** Quantile from bins as an index → count map (merged elsewhere, e.g. over an alert rule's window); null when empty. */
  public static Double quantile(java.util.Map<Integer, Long> bins, long zeros, double q) {
    UnboundedSizeDenseStore positive = new UnboundedSizeDenseStore();
    bins.forEach((index, count) -> {
      if (count > 0) {
        positive.add(index, count);
      }
    });
    DDSketch sketch = DDSketch.of(MAPPING, new UnboundedSizeDenseStore(), positive, Math.max(0, zeros));
    return sketch.isEmpty() ? null : sketch.getValueAtQuantile(q);
  }
}

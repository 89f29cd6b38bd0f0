package io.llmtrace.processors.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one rule needs from the windows of one bucket (a minute, or an hour for hourly rules) of one of its
 * groups: the metric's numerator and volume, for quantile metrics the sketch bins (DDSketch indexes under
 * the metric windows' mapping, so they add), and the windows' example traces for the metric's offence.
 * Samples of the same bucket add up, whatever shard or window they came from. Mutable, for merging in
 * place; Jackson reads and writes its public fields (state and the repartition topic).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public final class Sample {

  /** Most example traces a bucket keeps (an alert shows five). */
  static final int EXEMPLARS = 5;

  /** Start of the window (or bucket) in epoch milliseconds. */
  public long start;
  public double numerator;
  public double volume;
  /** DDSketch bin index → count (quantile metrics only). */
  public TreeMap<Integer, Long> bins;
  public long zeros;
  public List<String> exemplars;
  /** The value of the rule's version dimension in these windows (version and before-release rules). */
  public String version;

  public Sample() {}

  Sample(long start, double numerator, double volume) {
    this.start = start;
    this.numerator = numerator;
    this.volume = volume;
  }

  /** Adds another sample of the same bucket (or any sample, when summing a window). */
  void add(Sample other) {
    numerator += other.numerator;
    volume += other.volume;
    zeros += other.zeros;
    if (other.bins != null && !other.bins.isEmpty()) {
      if (bins == null) {
        bins = new TreeMap<>();
      }
      other.bins.forEach((index, count) -> bins.merge(index, count, Long::sum));
    }
    addExemplars(other.exemplars);
  }

  void addExemplars(List<String> traces) {
    if (traces == null) {
      return;
    }
    for (String trace : traces) {
      if (exemplars == null) {
        exemplars = new ArrayList<>(EXEMPLARS);
      }
      if (exemplars.size() >= EXEMPLARS) {
        return;
      }
      if (!exemplars.contains(trace)) {
        exemplars.add(trace);
      }
    }
  }

  Sample copyAt(long bucketStart) {
    Sample copy = new Sample(bucketStart, 0, 0);
    copy.version = version;
    copy.add(this);
    return copy;
  }

  /** A sample routed to one rule's group: the repartition topic's value. */
  public static final class Routed {
    public String rule;
    public Map<String, String> group;
    public Sample sample;
    /** Wall-clock time the event was seen (immediate rules), for the on-time figure. */
    public long seenAtMs;

    public Routed() {}

    Routed(String rule, Map<String, String> group, Sample sample) {
      this.rule = rule;
      this.group = new TreeMap<>(group);
      this.sample = sample;
    }
  }
}

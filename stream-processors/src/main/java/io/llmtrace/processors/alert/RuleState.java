package io.llmtrace.processors.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One rule's state for one group: its recent buckets, the versions it has seen, and its episode.
 * Jackson reads and writes the public fields (the state store holds it as JSON: it changes at most once
 * per group and minute, and its shape follows the rule engine, so readable and lenient beat compact here).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RuleState {

  /** Where a rule's episode is. */
  public enum Status { INACTIVE, PENDING, FIRING }

  public Map<String, String> group;
  /** Bucket start (a minute, or an hour for hourly rules) → the bucket's samples added up. */
  public TreeMap<Long, Sample> buckets = new TreeMap<>();
  /** Start of the first bucket ever seen for the group; -1 before any. */
  public long firstSeenMs = -1;
  /** End of the newest window seen (event time); -1 before any. */
  public long lastDataMs = -1;
  /** Evaluation time of the latest evaluation; -1 before any. */
  public long lastEvaluatedMs = -1;
  /** Version dimension value → what was seen of it (version and before-release rules). */
  public TreeMap<String, VersionStats> versions;

  public Status status = Status.INACTIVE;
  /** Event time the condition started to hold (pending from). */
  public long pendingSinceMs = -1;
  /** Latest event time the condition held. */
  public long lastTrueMs = -1;
  /** Episodes so far (the next episode's number is this plus one). */
  public int episodes;
  public String episodeId;
  public int notifications;
  public long lastNotifiedMs = -1;
  /** Wall-clock time the latest sample arrived (data-stops needs wall-clock silence too). */
  public long lastSampleWallMs = -1;
  /** Wall-clock time of the latest event (immediate rules: quiet for keep_firing_for resolves). */
  public long lastEventWallMs = -1;
  /** The latest evaluation (what a RESOLVED or RENOTIFY event reports). */
  public Outcome last;

  /** Before-release rules: the release compared, when it was, and the frozen pre-release value. */
  public String releaseVersion;
  public long releaseAtMs = -1;
  public String releaseSource;
  public Double releaseBaseline;
  public double releaseBaselineVolume;

  /** What was seen of one value of the version dimension. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class VersionStats {
    public long firstSeenMs;
    public double numerator;
    public double volume;
    public List<String> exemplars;

    public VersionStats() {}

    VersionStats(long firstSeenMs) {
      this.firstSeenMs = firstSeenMs;
    }
  }

  /** One evaluation's result; {@code holds} is null when there was not enough data to decide. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Outcome {
    public Boolean holds;
    public double value;
    public Double baseline;
    /** Which baseline, with its detail (e.g. "before_release (release marker r-17 at ...)"). */
    public String baselineLabel;
    public double volume;
    public long windowStartMs;
    public long windowEndMs;
    public List<String> exemplars;
    public String release;
    /** Why there was no decision (for logs and tests). */
    public String undecided;

    public Outcome() {}

    static Outcome undecided(String why, long at) {
      Outcome outcome = new Outcome();
      outcome.undecided = why;
      outcome.windowStartMs = at;
      outcome.windowEndMs = at;
      return outcome;
    }
  }
}

package io.llmtrace.processors.alert;

import io.llmtrace.processors.aggregate.Sketches;
import io.llmtrace.processors.alert.AlertRule.Baseline;
import io.llmtrace.processors.alert.AlertRule.CountWindow;
import io.llmtrace.processors.alert.AlertRule.NoData;
import io.llmtrace.processors.alert.AlertRule.TimeWindow;
import io.llmtrace.processors.alert.RuleState.Outcome;
import io.llmtrace.processors.alert.RuleState.Status;
import io.llmtrace.processors.alert.RuleState.VersionStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A rule's arithmetic and its episode state machine, without Kafka: samples go in ({@link #add}),
 * evaluations ({@link #evaluate}) step the episode inactive → pending → firing → resolved and return
 * the transitions to publish. Time is event time: an evaluation is "at" the end of the newest window
 * seen for the group, so a backlog replayed later gives the same episodes as live traffic.
 */
public final class RuleEvaluator {

  static final long MINUTE = 60_000;
  static final long HOUR = 3_600_000;
  /** Versions remembered per group (oldest dropped). */
  static final int MAX_VERSIONS = 8;
  /** Most evaluations one catch-up makes (a day of minutes). */
  static final long MAX_CATCH_UP = 1_440;

  /**
   * A state change to publish: FIRING, RENOTIFY or RESOLVED, with what was observed and the episode as it
   * was then (a catch-up makes several transitions before any is published).
   */
  public record Transition(io.llmtrace.schemas.avro.AlertState state, Outcome outcome, long atMs, String episodeId, long startedAtMs,
      int notification) {

    static Transition of(io.llmtrace.schemas.avro.AlertState state, Outcome outcome, long atMs, RuleState episode) {
      return new Transition(state, outcome, atMs, episode.episodeId, episode.pendingSinceMs, episode.notifications);
    }
  }

  /** When a release of a version took effect, from the release markers. */
  public interface Releases {
    Optional<Marker> lookup(String tenant, String dimension, String version);

    Releases NONE = (tenant, dimension, version) -> Optional.empty();
  }

  /** A release marker as rules use it. */
  public record Marker(String id, Instant at) {}

  private RuleEvaluator() {}

  /** Adds a window's sample to the group's state (its bucket, its version) and drops buckets the rule no longer needs. */
  public static void add(AlertRule rule, RuleState state, Sample sample) {
    long size = rule.hourly() ? HOUR : MINUTE;
    long bucket = Math.floorDiv(sample.start, size) * size;
    Sample existing = state.buckets.get(bucket);
    if (existing == null) {
      state.buckets.put(bucket, sample.copyAt(bucket));
    } else {
      existing.add(sample);
    }
    state.firstSeenMs = state.firstSeenMs < 0 ? bucket : Math.min(state.firstSeenMs, bucket);
    state.lastDataMs = Math.max(state.lastDataMs, sample.start + MINUTE);
    if (rule.versionDimension() != null && sample.version != null) {
      if (state.versions == null) {
        state.versions = new TreeMap<>();
      }
      VersionStats stats = state.versions.computeIfAbsent(sample.version, v -> new VersionStats(sample.start));
      stats.firstSeenMs = Math.min(stats.firstSeenMs, sample.start);
      stats.numerator += sample.numerator;
      stats.volume += sample.volume;
      if (sample.exemplars != null) {
        Sample merged = new Sample();
        merged.exemplars = stats.exemplars == null ? null : new ArrayList<>(stats.exemplars);
        merged.addExemplars(sample.exemplars);
        stats.exemplars = merged.exemplars;
      }
      while (state.versions.size() > MAX_VERSIONS) {
        state.versions.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().firstSeenMs))
            .ifPresent(oldest -> state.versions.remove(oldest.getKey()));
      }
    }
    trim(rule, state);
  }

  /**
   * Drops the buckets no evaluation needs: those older than the rule's retention before the latest
   * evaluation (minutes not yet evaluated are kept for the catch-up, at most {@link #MAX_CATCH_UP} of them).
   */
  private static void trim(AlertRule rule, RuleState state) {
    long step = rule.hourly() ? HOUR : MINUTE;
    long evaluated = state.lastEvaluatedMs < 0 ? state.firstSeenMs : state.lastEvaluatedMs;
    long keepFrom = Math.max(evaluated, state.lastDataMs - MAX_CATCH_UP * step) - rule.retention().toMillis();
    state.buckets.headMap(keepFrom).clear();
  }

  /** The evaluation time of a group: the end of its newest window (hourly rules: of its newest complete hour). */
  static long evaluationTime(AlertRule rule, RuleState state) {
    return rule.hourly() ? Math.floorDiv(state.lastDataMs, HOUR) * HOUR : state.lastDataMs;
  }

  /**
   * Evaluates the rule at every minute (hourly rules: hour) from the one after the last evaluation up to
   * the group's evaluation time, stepping the episode at each: the episodes depend on the windows, not on
   * how many of them a punctuation finds waiting (a backlog after a restart gives the same FIRING minute as
   * live traffic). A window of an already evaluated minute (another shard of it) re-evaluates that minute.
   */
  public static List<Transition> evaluate(AlertRule rule, RuleState state, Releases releases) {
    if (state.lastDataMs < 0) {
      return List.of();
    }
    long at = evaluationTime(rule, state);
    long step = rule.hourly() ? HOUR : MINUTE;
    long from = state.lastEvaluatedMs < 0 ? state.firstSeenMs + step : state.lastEvaluatedMs + step;
    from = Math.min(Math.max(from, at - MAX_CATCH_UP * step), at);
    List<Transition> out = new ArrayList<>();
    for (long t = from; t <= at; t += step) {
      out.addAll(step(rule, state, outcome(rule, state, t, releases), t));
    }
    state.lastEvaluatedMs = Math.max(state.lastEvaluatedMs, at);
    trim(rule, state);
    return out;
  }

  /** What the rule observes at {@code at}. */
  static Outcome outcome(AlertRule rule, RuleState state, long at, Releases releases) {
    if (rule.versionRegression()) {
      return versions(rule, state, at);
    }
    if (rule.baseline() == Baseline.BEFORE_RELEASE) {
      return beforeRelease(rule, state, at, releases);
    }
    Sample current;
    long from;
    if (rule.window() instanceof CountWindow count) {
      current = new Sample();
      from = at;
      for (Sample bucket : state.buckets.headMap(at, false).descendingMap().values()) {
        if (bucket.start < at - rule.lookback().toMillis()) {
          break;
        }
        current.add(bucket);
        from = bucket.start;
        if (current.volume >= count.volume()) {
          break;
        }
      }
      if (current.volume < count.volume()) {
        return Outcome.undecided("count window not reached: " + (long) current.volume + " of " + count.volume(), at);
      }
    } else {
      long window = ((TimeWindow) rule.window()).duration().toMillis();
      from = at - window;
      if (state.firstSeenMs > from) {
        return Outcome.undecided("window not covered yet: group seen since " + Instant.ofEpochMilli(state.firstSeenMs), at);
      }
      current = sum(state, from, at);
    }
    if (current.volume < Math.max(1, rule.minVolume())) {
      return Outcome.undecided("volume " + (long) current.volume + " below min_volume " + rule.minVolume(), at);
    }
    Double value = value(rule, current);
    if (value == null) {
      return Outcome.undecided("no value", at);
    }
    Outcome outcome = new Outcome();
    outcome.value = value;
    outcome.volume = current.volume;
    outcome.windowStartMs = from;
    outcome.windowEndMs = at;
    outcome.exemplars = current.exemplars;
    if (rule.baseline() == null) {
      outcome.holds = rule.comparator().holds(value, rule.threshold());
      return outcome;
    }
    long window = at - from;
    long baseFrom;
    long baseTo;
    switch (rule.baseline()) {
      case DAY_BEFORE -> {
        baseFrom = from - Duration.ofDays(1).toMillis();
        baseTo = at - Duration.ofDays(1).toMillis();
      }
      case PREVIOUS_24H -> {
        baseFrom = from - Duration.ofDays(1).toMillis();
        baseTo = from;
      }
      default -> { // PRIOR_7D_MEAN
        baseFrom = from - Duration.ofDays(7).toMillis();
        baseTo = from;
      }
    }
    if (state.firstSeenMs > baseFrom) {
      return Outcome.undecided("baseline " + rule.baseline().key() + " not covered yet (window " + window / MINUTE + " min)", at);
    }
    Sample base = sum(state, baseFrom, baseTo);
    Double baseValue = base.volume < Math.max(1, rule.minVolume()) ? null : value(rule, base);
    if (baseValue == null) {
      return Outcome.undecided("baseline volume " + (long) base.volume + " below min_volume " + rule.minVolume(), at);
    }
    return compare(rule, outcome, baseValue, rule.baseline().key());
  }

  /** The newest version against the one before it, each over everything seen of it. */
  private static Outcome versions(AlertRule rule, RuleState state, long at) {
    List<Map.Entry<String, VersionStats>> byAge = byFirstSeen(state);
    if (byAge.size() < 2) {
      return Outcome.undecided("one version only", at);
    }
    Map.Entry<String, VersionStats> newest = byAge.get(byAge.size() - 1);
    Map.Entry<String, VersionStats> previous = byAge.get(byAge.size() - 2);
    Outcome outcome = new Outcome();
    outcome.release = rule.versionDimension() + "=" + newest.getKey();
    outcome.windowStartMs = newest.getValue().firstSeenMs;
    outcome.windowEndMs = at;
    outcome.volume = newest.getValue().volume;
    if (newest.getValue().volume < rule.minVolume() || previous.getValue().volume < rule.minVolume()) {
      outcome.undecided = "versions below min_volume: " + newest.getKey() + " " + (long) newest.getValue().volume + ", "
          + previous.getKey() + " " + (long) previous.getValue().volume;
      return outcome;
    }
    outcome.value = newest.getValue().numerator / newest.getValue().volume;
    outcome.exemplars = newest.getValue().exemplars;
    double base = previous.getValue().numerator / previous.getValue().volume;
    return compare(rule, outcome, base, "previous_version (" + rule.versionDimension() + "=" + previous.getKey() + ")");
  }

  /** The window after the latest release against the equal-length window before it (frozen once read). */
  private static Outcome beforeRelease(AlertRule rule, RuleState state, long at, Releases releases) {
    List<Map.Entry<String, VersionStats>> byAge = byFirstSeen(state);
    if (byAge.size() < 2) {
      return Outcome.undecided("no release seen yet (one " + rule.versionDimension() + ")", at);
    }
    String version = byAge.get(byAge.size() - 1).getKey();
    if (!version.equals(state.releaseVersion)) {
      String tenant = state.group.get("tenant_id");
      Optional<Marker> marker = releases.lookup(tenant, rule.versionDimension(), version);
      state.releaseVersion = version;
      state.releaseAtMs = marker.map(m -> m.at().toEpochMilli()).orElse(byAge.get(byAge.size() - 1).getValue().firstSeenMs);
      state.releaseSource = marker.map(m -> "release marker " + m.id() + " at " + m.at())
          .orElse("first seen at " + Instant.ofEpochMilli(state.releaseAtMs) + ", no release marker");
      state.releaseBaseline = null;
    }
    long window = ((TimeWindow) rule.window()).duration().toMillis();
    long release = state.releaseAtMs;
    if (at < release + window) {
      return Outcome.undecided("after-release window not complete", at);
    }
    if (state.releaseBaseline == null) {
      if (state.firstSeenMs > release - window) {
        return Outcome.undecided("no data for the window before the release", at);
      }
      Sample before = sum(state, release - window, release);
      Double value = before.volume < Math.max(1, rule.minVolume()) ? null : value(rule, before);
      if (value == null) {
        return Outcome.undecided("window before the release below min_volume", at);
      }
      state.releaseBaseline = value;
      state.releaseBaselineVolume = before.volume;
    }
    Sample current = sum(state, at - window, at);
    Double value = current.volume < Math.max(1, rule.minVolume()) ? null : value(rule, current);
    if (value == null) {
      return Outcome.undecided("volume " + (long) current.volume + " below min_volume " + rule.minVolume(), at);
    }
    Outcome outcome = new Outcome();
    outcome.value = value;
    outcome.volume = current.volume;
    outcome.windowStartMs = at - window;
    outcome.windowEndMs = at;
    outcome.exemplars = current.exemplars;
    outcome.release = rule.versionDimension() + "=" + version;
    return compare(rule, outcome, state.releaseBaseline, "before_release (" + state.releaseSource + ")");
  }

  private static Outcome compare(AlertRule rule, Outcome outcome, double baseline, String label) {
    outcome.baseline = baseline;
    outcome.baselineLabel = label;
    double ratio = baseline == 0 ? (outcome.value > 0 ? Double.POSITIVE_INFINITY : 1) : outcome.value / baseline;
    outcome.holds = rule.comparator().holds(ratio, rule.threshold());
    return outcome;
  }

  private static List<Map.Entry<String, VersionStats>> byFirstSeen(RuleState state) {
    if (state.versions == null) {
      return List.of();
    }
    List<Map.Entry<String, VersionStats>> entries = new ArrayList<>(state.versions.entrySet());
    entries.sort(Comparator.comparingLong((Map.Entry<String, VersionStats> e) -> e.getValue().firstSeenMs).thenComparing(Map.Entry::getKey));
    return entries;
  }

  /** The buckets starting in [from, to) added up; example traces newest first. */
  static Sample sum(RuleState state, long from, long to) {
    Sample total = new Sample();
    for (Sample bucket : state.buckets.subMap(from, true, to, false).descendingMap().values()) {
      total.add(bucket);
    }
    return total;
  }

  /** The metric's value over summed samples; null when it has none (no volume, an empty sketch). */
  static Double value(AlertRule rule, Sample sample) {
    return switch (rule.metric().kind()) {
      case RATE, MEAN -> sample.volume > 0 ? sample.numerator / sample.volume : null;
      case COUNT -> sample.numerator;
      case QUANTILE -> sample.bins == null && sample.zeros == 0 ? null
          : Sketches.quantile(sample.bins == null ? Map.of() : sample.bins, sample.zeros, rule.metric().quantile());
    };
  }

  /** One step of the episode state machine at event time {@code at}. */
  static List<Transition> step(AlertRule rule, RuleState state, Outcome outcome, long at) {
    List<Transition> out = new ArrayList<>();
    if (state.status == Status.FIRING && state.last != null && state.last.release != null && outcome.release != null
        && !state.last.release.equals(outcome.release)) {
      // a version rule's episode is about one version: a newer one ends it
      out.add(resolve(state, state.last, at));
    }
    if (outcome.holds == null) {
      if (state.status == Status.PENDING) {
        state.status = Status.INACTIVE;
        state.pendingSinceMs = -1;
      }
      return out;
    }
    if (outcome.holds) {
      state.lastTrueMs = at;
      if (state.status == Status.INACTIVE) {
        state.status = Status.PENDING;
        state.pendingSinceMs = at;
      }
      state.last = outcome;
      if (state.status == Status.PENDING && at - state.pendingSinceMs >= rule.forDuration().toMillis()) {
        out.add(fire(rule, state, outcome, at));
      } else if (state.status == Status.FIRING && rule.renotifyEvery() != null
          && at - state.lastNotifiedMs >= rule.renotifyEvery().toMillis()) {
        state.notifications++;
        state.lastNotifiedMs = at;
        out.add(Transition.of(io.llmtrace.schemas.avro.AlertState.RENOTIFY, outcome, at, state));
      }
      return out;
    }
    if (state.status == Status.PENDING) {
      state.status = Status.INACTIVE;
      state.pendingSinceMs = -1;
    } else if (state.status == Status.FIRING) {
      state.last = outcome;
      if (at - state.lastTrueMs >= rule.keepFiringFor().toMillis()) {
        out.add(resolve(state, outcome, at));
      }
    }
    return out;
  }

  private static Transition fire(AlertRule rule, RuleState state, Outcome outcome, long at) {
    state.status = Status.FIRING;
    state.episodes++;
    state.episodeId = rule.name() + ":" + AlertEvents.groupKey(state.group) + ":" + state.episodes;
    state.notifications = 0;
    state.lastNotifiedMs = at;
    return Transition.of(io.llmtrace.schemas.avro.AlertState.FIRING, outcome, at, state);
  }

  private static Transition resolve(RuleState state, Outcome outcome, long at) {
    Transition resolved = Transition.of(io.llmtrace.schemas.avro.AlertState.RESOLVED, outcome, at, state);
    state.status = Status.INACTIVE;
    state.pendingSinceMs = -1;
    return resolved;
  }

  /**
   * Periodic checks of an active group: its data stopped, an immediate rule's episode went quiet. Data
   * has stopped when no window of the group came for {@code no_data_after} in event time (the task's clock,
   * so a stopped pipeline resolves nothing) and in wall clock since the later of its last window and
   * {@code quietFromMs} (the task's start: a restart or a partition lagging behind the others in a replay
   * is not silence).
   */
  public static List<Transition> checkQuiet(AlertRule rule, RuleState state, long clockMs, long wallMs, long quietFromMs) {
    if (state.status == Status.INACTIVE) {
      return List.of();
    }
    if (rule.immediate()) {
      if (state.status == Status.FIRING && wallMs - state.lastEventWallMs >= rule.keepFiringFor().toMillis()) {
        return List.of(resolve(state, state.last, state.lastTrueMs + rule.keepFiringFor().toMillis()));
      }
      return List.of();
    }
    long quiet = rule.noDataAfter().toMillis();
    if (clockMs - state.lastDataMs < quiet || wallMs - Math.max(state.lastSampleWallMs, quietFromMs) < quiet) {
      return List.of();
    }
    if (state.status == Status.PENDING) {
      state.status = Status.INACTIVE;
      state.pendingSinceMs = -1;
      return List.of();
    }
    if (rule.whenDataStops() == NoData.RESOLVE) {
      Outcome outcome = state.last == null ? Outcome.undecided("data stopped", clockMs) : state.last;
      outcome.undecided = "data stopped: no window since " + Instant.ofEpochMilli(state.lastDataMs);
      return List.of(resolve(state, outcome, clockMs));
    }
    return List.of();
  }

  /** An immediate rule's event: fires at once when no episode is open, else joins it (and may remind). */
  public static List<Transition> event(AlertRule rule, RuleState state, Sample sample, long wallMs) {
    long at = sample.start;
    state.lastDataMs = Math.max(state.lastDataMs, at);
    state.lastEventWallMs = wallMs;
    state.lastTrueMs = Math.max(state.lastTrueMs, at);
    if (state.status != Status.FIRING) {
      Outcome outcome = new Outcome();
      outcome.holds = true;
      outcome.value = 1;
      outcome.volume = 1;
      outcome.windowStartMs = at;
      outcome.windowEndMs = at;
      outcome.exemplars = sample.exemplars;
      state.pendingSinceMs = at;
      state.last = outcome;
      return List.of(fire(rule, state, outcome, at));
    }
    Outcome outcome = state.last;
    outcome.value += 1;
    outcome.volume += 1;
    outcome.windowEndMs = Math.max(outcome.windowEndMs, at);
    Sample merged = new Sample();
    merged.exemplars = outcome.exemplars == null ? null : new ArrayList<>(outcome.exemplars);
    merged.addExemplars(sample.exemplars);
    outcome.exemplars = merged.exemplars;
    if (rule.renotifyEvery() != null && at - state.lastNotifiedMs >= rule.renotifyEvery().toMillis()) {
      state.notifications++;
      state.lastNotifiedMs = at;
      return List.of(Transition.of(io.llmtrace.schemas.avro.AlertState.RENOTIFY, outcome, at, state));
    }
    return List.of();
  }
}

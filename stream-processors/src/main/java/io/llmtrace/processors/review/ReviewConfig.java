package io.llmtrace.processors.review;

import io.llmtrace.processors.common.ConfigFiles;
import io.llmtrace.processors.common.StreamsSettings;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The review queue's settings; invalid values, and an invalid queue file, stop it at start naming the key (or
 * the file's field, line and column) and the value.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th><th></th></tr>
 *   <tr><td>llmtrace.review.queue-file</td><td>the bundled {@code deploy/config/review-queue.yaml}</td><td>reasons, rates, priorities, labels</td></tr>
 *   <tr><td>llmtrace.review.retention</td><td>30d</td><td>how long an item is remembered after it was queued or last decided: the
 *       window in which a trace is never queued twice for a reason and a decision finds its items</td></tr>
 *   <tr><td>llmtrace.review.sweep-interval</td><td>10m</td><td>how often (stream time) a slice of the items is checked against the retention</td></tr>
 *   <tr><td>llmtrace.review.sweep-slice</td><td>{@value #DEFAULT_SWEEP_SLICE}</td><td>items checked per sweep</td></tr>
 *   <tr><td>llmtrace.review.application-id / .admin.port</td><td>llmtrace-review / {@value #DEFAULT_ADMIN_PORT}</td><td></td></tr>
 * </table>
 * Topics: {@link TopicNames} (traces, redacted spans and alerts in; {@code llmtrace.topics.review} out, unreadable
 * records to {@code llmtrace.topics.dead-letters}).
 */
public record ReviewConfig(StreamsSettings streams, TopicNames topics, ReviewPolicy policy, String policySource, State state) {

  public static final String APP = "review";
  public static final int DEFAULT_ADMIN_PORT = 9470;
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(10);
  /** Items visited per sweep: a day of a busy queue in a few sweeps, a bounded pause per punctuation. */
  public static final int DEFAULT_SWEEP_SLICE = 2_000;

  /** How long the queue remembers its items, and how often (and how many at a time) it checks them for age. */
  public record State(Duration retention, Duration sweepInterval, int sweepSlice) {
    public State {
      Objects.requireNonNull(retention, "retention");
      Objects.requireNonNull(sweepInterval, "sweepInterval");
      if (retention.isZero() || retention.isNegative()) {
        throw new IllegalArgumentException("llmtrace.review.retention = " + retention + ": must be positive");
      }
      if (sweepInterval.isZero() || sweepInterval.isNegative()) {
        throw new IllegalArgumentException("llmtrace.review.sweep-interval = " + sweepInterval + ": must be positive");
      }
      if (sweepSlice < 1) {
        throw new IllegalArgumentException("llmtrace.review.sweep-slice = " + sweepSlice + ": must be at least 1");
      }
    }

    public State(Duration retention, Duration sweepInterval) {
      this(retention, sweepInterval, DEFAULT_SWEEP_SLICE);
    }

    public static State defaults() {
      return new State(DEFAULT_RETENTION, DEFAULT_SWEEP_INTERVAL);
    }
  }

  public ReviewConfig {
    Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(state, "state");
  }

  public static ReviewConfig from(Settings settings) {
    Optional<Path> file = ConfigFiles.optional(settings, "llmtrace.review.queue-file");
    ReviewPolicy policy = file.map(ReviewPolicy::load).orElseGet(ReviewPolicy::bundled);
    State state = new State(settings.duration("llmtrace.review.retention", DEFAULT_RETENTION),
        settings.duration("llmtrace.review.sweep-interval", DEFAULT_SWEEP_INTERVAL),
        settings.integer("llmtrace.review.sweep-slice", DEFAULT_SWEEP_SLICE, 1, 1_000_000));
    return new ReviewConfig(StreamsSettings.from(settings, APP, DEFAULT_ADMIN_PORT), TopicNames.from(settings), policy,
        file.map(Path::toString).orElse("bundled " + ReviewPolicy.BUNDLED), state);
  }
}

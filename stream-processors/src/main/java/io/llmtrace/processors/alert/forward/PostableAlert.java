package io.llmtrace.processors.alert.forward;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One alert as Alertmanager's v2 API takes it ({@code POST /api/v2/alerts}, an array of these). Its labels are
 * its identity: Alertmanager groups, routes and deduplicates by them. It is resolved once {@code endsAt} is
 * past; a firing alert carries an {@code endsAt} a few resend intervals ahead, so that Alertmanager resolves it
 * on its own if the forwarder stops re-posting it. Times are written as RFC 3339 ({@link Instant#toString}).
 */
public record PostableAlert(
    Map<String, String> labels,
    Map<String, String> annotations,
    @JsonSerialize(using = ToStringSerializer.class) Instant startsAt,
    @JsonSerialize(using = ToStringSerializer.class) Instant endsAt) {

  public PostableAlert {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    Objects.requireNonNull(startsAt, "startsAt");
    Objects.requireNonNull(endsAt, "endsAt");
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("an alert needs at least one label");
    }
    if (endsAt.isBefore(startsAt)) {
      throw new IllegalArgumentException("endsAt " + endsAt + " is before startsAt " + startsAt);
    }
  }

  /** Alertmanager's own test: resolved once the end time has passed. */
  public boolean resolvedAt(Instant now) {
    return !endsAt.isAfter(now);
  }
}

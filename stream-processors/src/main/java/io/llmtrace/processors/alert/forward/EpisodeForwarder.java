package io.llmtrace.processors.alert.forward;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder without Kafka: turns each episode event into an Alertmanager alert, posts it, keeps the open
 * episodes and re-posts them. The Kafka loop ({@link AlertmanagerForwarder}) commits a record's offset only
 * when this says {@link #forward} is done with it, so delivery is at least once; Alertmanager deduplicates
 * what arrives twice (same labels, same alert).
 *
 * <p>A firing alert is posted with {@code endsAt} = now + {@value #VALID_FOR_RESENDS} resend intervals, as
 * Prometheus does: re-posted every interval, it stays firing; if the forwarder stops for longer, Alertmanager
 * resolves it by itself rather than keeping a stale page open forever.
 */
final class EpisodeForwarder {

  private static final Logger LOG = LoggerFactory.getLogger(EpisodeForwarder.class);
  static final int VALID_FOR_RESENDS = 4;

  /** Whether the loop may commit past an event. */
  sealed interface Step {
    /** Alertmanager took the alert, or rejected it for good (counted, logged): commit. */
    record Done() implements Step {}

    /** No Alertmanager could take it: do not commit, post it again after a backoff. */
    record Retry(String reason) implements Step {}
  }

  private final AlertSink sink;
  private final OpenEpisodes open;
  private final Duration validFor;
  private final ForwarderMeters meters;
  private final Clock clock;

  EpisodeForwarder(AlertSink sink, Duration resendInterval, Duration lookBack, ForwarderMeters meters, Clock clock) {
    this.sink = sink;
    this.open = new OpenEpisodes(resendInterval, lookBack);
    this.validFor = resendInterval.multipliedBy(VALID_FOR_RESENDS);
    this.meters = meters;
    this.clock = clock;
    meters.openEpisodes(open::size);
  }

  /** Posts the event's alert; the open set changes only once Alertmanager has answered. */
  Step forward(int partition, AlertEvent event, Instant recordTime) {
    Instant now = clock.instant();
    PostableAlert alert = alertFor(event, now);
    PostOutcome outcome = sink.post(List.of(alert));
    if (outcome instanceof PostOutcome.Unavailable unavailable) {
      return new Step.Retry(unavailable.detail());
    }
    meters.event(event.getState(), outcome);
    if (outcome instanceof PostOutcome.Rejected rejected) {
      // Ids only: the alert's labels and annotations may carry what the rule's group holds.
      LOG.warn("Alertmanager rejected the {} alert of episode {} (rule {}): {}; skipped", event.getState(), event.getAlertId(),
          event.getRuleId(), rejected.detail());
      open.forget(event.getAlertId());
      return new Step.Done();
    }
    open.apply(partition, event, recordTime, now);
    return new Step.Done();
  }

  /** Applies an event read back from the topic after a restart or rebalance, without posting it. */
  void rebuild(int partition, AlertEvent event, Instant recordTime) {
    open.apply(partition, event, recordTime, null);
  }

  /**
   * Re-posts the open episodes not posted for a resend interval (all of them right after a rebuild), after
   * dropping those older than the look-back. Returns false when no Alertmanager could take them.
   */
  boolean resendDue() {
    Instant now = clock.instant();
    int expired = open.expire(now);
    if (expired > 0) {
      meters.expired.increment(expired);
      LOG.info("{} open episode(s) had no event for the look-back; Alertmanager resolves them when they end", expired);
    }
    List<OpenEpisodes.Episode> due = open.due(now);
    if (due.isEmpty()) {
      return true;
    }
    List<PostableAlert> alerts = due.stream()
        .map(e -> AlertmanagerMapping.firing(e.latest(), e.labels(), now.plus(validFor)))
        .toList();
    PostOutcome outcome = sink.post(alerts);
    if (outcome instanceof PostOutcome.Unavailable) {
      return false;
    }
    if (outcome instanceof PostOutcome.Rejected rejected) {
      LOG.warn("Alertmanager rejected the re-post of {} open episode(s): {}", due.size(), rejected.detail());
    } else {
      meters.resent.increment(due.size());
    }
    open.posted(due, now);
    return true;
  }

  void revoke(Collection<Integer> partitions) {
    open.revoke(partitions);
  }

  int openEpisodes() {
    return open.size();
  }

  OpenEpisodes.Episode episode(String alertId) {
    return open.get(alertId);
  }

  private PostableAlert alertFor(AlertEvent event, Instant now) {
    return event.getState() == AlertState.RESOLVED
        ? AlertmanagerMapping.resolved(event, open.labelsFor(event), now)
        : AlertmanagerMapping.firing(event, open.labelsFor(event), now.plus(validFor));
  }
}

package io.llmtrace.processors.alert.forward;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The firing episodes of the assigned partitions, which the forwarder re-posts every resend interval so that
 * Alertmanager keeps them firing. An episode opens with its FIRING (or a RENOTIFY whose FIRING was not seen),
 * is refreshed by each RENOTIFY, and closes with its RESOLVED.
 *
 * <pre>
 *   (none) ──FIRING / RENOTIFY──▶ open ──RENOTIFY──▶ open ──RESOLVED──▶ (none)
 *                                  │
 *                                  └── no event for the look-back ──▶ expired (Alertmanager resolves it at endsAt)
 * </pre>
 *
 * An episode keeps the labels of its first event: they are its identity in Alertmanager, so a rule edited
 * mid-episode (another owner, severity) must not turn its RESOLVED into a different alert. The set is a
 * function of the topic's last look-back: after a restart it is rebuilt by reading that far back, and
 * episodes older than that expire here too, so both ways give the same set.
 */
final class OpenEpisodes {

  /** One open episode: its labels as first seen, its newest event, when that record was written and last posted (null: not since the rebuild). */
  record Episode(String alertId, int partition, Map<String, String> labels, AlertEvent latest, Instant recordTime, Instant lastPosted) {
    Episode {
      Objects.requireNonNull(alertId, "alertId");
      labels = Map.copyOf(labels);
    }
  }

  private final Map<String, Episode> episodes = new LinkedHashMap<>();
  private final Duration resendInterval;
  private final Duration lookBack;

  OpenEpisodes(Duration resendInterval, Duration lookBack) {
    this.resendInterval = resendInterval;
    this.lookBack = lookBack;
  }

  /** The labels to post the event's alert with: the open episode's, else the event's own. */
  Map<String, String> labelsFor(AlertEvent event) {
    Episode open = episodes.get(event.getAlertId());
    return open != null ? open.labels() : AlertmanagerMapping.labels(event);
  }

  /**
   * Applies an event Alertmanager took ({@code postedAt} = now), or one read back while rebuilding the set
   * ({@code postedAt} = null: due for a re-post at once).
   */
  void apply(int partition, AlertEvent event, Instant recordTime, Instant postedAt) {
    String id = event.getAlertId();
    if (event.getState() == AlertState.RESOLVED) {
      episodes.remove(id);
      return;
    }
    Episode open = episodes.get(id);
    Map<String, String> labels = open != null ? open.labels() : AlertmanagerMapping.labels(event);
    episodes.put(id, new Episode(id, partition, labels, event, recordTime, postedAt));
  }

  /** Forgets an episode without posting it (its event was rejected by Alertmanager). */
  void forget(String alertId) {
    episodes.remove(alertId);
  }

  /** Drops the episodes whose newest record is older than the look-back; returns how many. */
  int expire(Instant now) {
    Instant oldest = now.minus(lookBack);
    int before = episodes.size();
    episodes.values().removeIf(e -> e.recordTime().isBefore(oldest));
    return before - episodes.size();
  }

  /** The episodes not posted for a resend interval, oldest first. */
  List<Episode> due(Instant now) {
    List<Episode> due = new ArrayList<>();
    for (Episode episode : episodes.values()) {
      if (episode.lastPosted() == null || !episode.lastPosted().plus(resendInterval).isAfter(now)) {
        due.add(episode);
      }
    }
    return due;
  }

  /** Marks episodes as posted at {@code now}. */
  void posted(Collection<Episode> posted, Instant now) {
    for (Episode episode : posted) {
      episodes.computeIfPresent(episode.alertId(),
          (id, e) -> new Episode(id, e.partition(), e.labels(), e.latest(), e.recordTime(), now));
    }
  }

  /** Drops the episodes of partitions this instance no longer reads: their new owner re-posts them. */
  void revoke(Collection<Integer> partitions) {
    episodes.values().removeIf(e -> partitions.contains(e.partition()));
  }

  int size() {
    return episodes.size();
  }

  Episode get(String alertId) {
    return episodes.get(alertId);
  }
}

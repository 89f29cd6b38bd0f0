package io.llmtrace.processors.alert.forward;

import io.llmtrace.schemas.avro.AlertState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the forwarder counts. Alert on {@code llmtrace_alertmanager_posts_total{outcome="unavailable"}} rising
 * while {@code outcome="delivered"} does not (no Alertmanager reachable: alerts wait in the topic, and firing
 * ones expire in Alertmanager a few resend intervals later), and on any increase of
 * {@code llmtrace_alertmanager_events_total{result="rejected"}} or {@code llmtrace_alertmanager_unreadable_total}
 * (alerts that will never reach anyone).
 */
public final class ForwarderMeters {

  private final Counter delivered;
  private final Counter rejected;
  private final Counter unavailable;
  private final Map<AlertState, Counter> forwarded = new EnumMap<>(AlertState.class);
  private final Map<AlertState, Counter> refused = new EnumMap<>(AlertState.class);
  final Counter resent;
  final Counter unreadable;
  final Counter expired;
  private final MeterRegistry registry;

  public ForwarderMeters(MeterRegistry registry) {
    this.registry = registry;
    delivered = posts(registry, "delivered");
    rejected = posts(registry, "rejected");
    unavailable = posts(registry, "unavailable");
    for (AlertState state : AlertState.values()) {
      String name = state.name().toLowerCase(Locale.ROOT);
      forwarded.put(state, Counter.builder("llmtrace_alertmanager_events").tag("state", name).tag("result", "delivered")
          .description("Episode events (FIRING, RENOTIFY, RESOLVED) an Alertmanager took").register(registry));
      refused.put(state, Counter.builder("llmtrace_alertmanager_events").tag("state", name).tag("result", "rejected")
          .description("Episode events every Alertmanager rejected (4xx): logged and skipped").register(registry));
    }
    resent = Counter.builder("llmtrace_alertmanager_resent").description("Open episodes posted again so they stay firing")
        .register(registry);
    unreadable = Counter.builder("llmtrace_alertmanager_unreadable").description("Records of the alerts topic that could not be read: skipped")
        .register(registry);
    expired = Counter.builder("llmtrace_alertmanager_expired")
        .description("Open episodes dropped after the look-back without an event: Alertmanager resolves them on its own").register(registry);
  }

  private static Counter posts(MeterRegistry registry, String outcome) {
    return Counter.builder("llmtrace_alertmanager_posts").tag("outcome", outcome)
        .description("POSTs to an Alertmanager's /api/v2/alerts, by outcome").register(registry);
  }

  /** The number of open episodes, read when scraped. */
  public void openEpisodes(Supplier<Number> open) {
    Gauge.builder("llmtrace_alertmanager_open_episodes", open).description("Firing episodes the forwarder keeps re-posting")
        .register(registry);
  }

  void posted(PostOutcome outcome) {
    if (outcome instanceof PostOutcome.Delivered) {
      delivered.increment();
    } else if (outcome instanceof PostOutcome.Rejected) {
      rejected.increment();
    } else {
      unavailable.increment();
    }
  }

  void event(AlertState state, PostOutcome outcome) {
    (outcome instanceof PostOutcome.Rejected ? refused : forwarded).get(state).increment();
  }
}

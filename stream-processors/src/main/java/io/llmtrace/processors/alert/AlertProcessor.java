package io.llmtrace.processors.alert;

import io.llmtrace.processors.alert.RuleEvaluator.Transition;
import io.llmtrace.processors.alert.Sample.Routed;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.ReleaseMarker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the rules, one state per rule and group (the repartition topic's key). Samples update a
 * group and mark it dirty; a wall-clock punctuator evaluates the dirty groups every evaluate-interval
 * (so the shards of one minute, which arrive together, are evaluated once) and checks the active ones
 * for data that stopped; immediate rules fire on the event itself. Transitions go out as
 * {@link AlertEvent}s keyed by episode id, in the same transaction as the state change (exactly_once_v2):
 * after a crash, the episode is neither lost nor published twice.
 */
final class AlertProcessor implements Processor<String, Routed, String, AlertEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(AlertProcessor.class);
  /** The task's event-time clock (the newest window end seen), kept across restarts. */
  static final String CLOCK = "clock";

  private final Map<String, AlertRule> rules;
  private final Duration evaluateInterval;
  private final AlertMeters meters;
  private ProcessorContext<String, AlertEvent> context;
  private KeyValueStore<String, RuleState> states;
  private KeyValueStore<String, Long> dirty;
  private KeyValueStore<String, Long> active;
  private KeyValueStore<String, Long> progress;
  private KeyValueStore<String, ReleaseMarker> releases;
  private long clock = -1;
  private long startedWallMs;

  AlertProcessor(Map<String, AlertRule> rules, Duration evaluateInterval, AlertMeters meters) {
    this.rules = rules;
    this.evaluateInterval = evaluateInterval;
    this.meters = meters;
  }

  @Override
  public void init(ProcessorContext<String, AlertEvent> context) {
    this.context = context;
    this.states = context.getStateStore(AlertTopology.STATES);
    this.dirty = context.getStateStore(AlertTopology.DIRTY);
    this.active = context.getStateStore(AlertTopology.ACTIVE);
    this.progress = context.getStateStore(AlertTopology.PROGRESS);
    this.releases = context.getStateStore(AlertTopology.RELEASES);
    Long saved = progress.get(CLOCK);
    clock = saved == null ? -1 : saved;
    startedWallMs = context.currentSystemTimeMs();
    context.schedule(evaluateInterval, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  @Override
  public void process(Record<String, Routed> record) {
    Routed routed = record.value();
    AlertRule rule = routed == null ? null : rules.get(routed.rule);
    if (rule == null) {
      meters.unknownRule.increment(); // a rule removed from the file while its samples were in flight
      return;
    }
    String key = record.key();
    RuleState state = states.get(key);
    if (state == null) {
      state = new RuleState();
      state.group = routed.group;
    }
    long wall = context.currentSystemTimeMs();
    if (rule.immediate()) {
      emit(rule, state, RuleEvaluator.event(rule, state, routed.sample, wall), wall);
      if (routed.seenAtMs > 0) {
        meters.immediateDelay.record(Duration.ofMillis(Math.max(0, wall - routed.seenAtMs)));
      }
      track(key, state);
    } else {
      RuleEvaluator.add(rule, state, routed.sample);
      state.lastSampleWallMs = wall;
      dirty.put(key, state.lastDataMs);
      if (state.lastDataMs > clock) {
        clock = state.lastDataMs;
        progress.put(CLOCK, clock);
      }
    }
    meters.samples.increment();
    states.put(key, state);
  }

  private void punctuate(long wallMs) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = dirty.all()) {
      it.forEachRemaining(entry -> keys.add(entry.key));
    }
    for (String key : keys) {
      dirty.delete(key);
      RuleState state = states.get(key);
      AlertRule rule = state == null ? null : rules.get(ruleOf(key));
      if (rule == null) {
        continue;
      }
      emit(rule, state, RuleEvaluator.evaluate(rule, state, this::release), wallMs);
      meters.evaluations.increment();
      track(key, state);
      states.put(key, state);
    }
    List<String> open = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = active.all()) {
      it.forEachRemaining(entry -> open.add(entry.key));
    }
    for (String key : open) {
      RuleState state = states.get(key);
      AlertRule rule = state == null ? null : rules.get(ruleOf(key));
      if (rule == null) {
        active.delete(key);
        continue;
      }
      List<Transition> transitions = RuleEvaluator.checkQuiet(rule, state, clock, wallMs, startedWallMs);
      if (!transitions.isEmpty() || state.status == RuleState.Status.INACTIVE) {
        emit(rule, state, transitions, wallMs);
        track(key, state);
        states.put(key, state);
      }
    }
    meters.activeGroups(context.taskId().toString(), open.size());
  }

  private Optional<RuleEvaluator.Marker> release(String tenant, String dimension, String version) {
    ReleaseMarker marker = releases.get(AlertTopology.releaseKey(tenant, dimension, version));
    return marker == null ? Optional.empty() : Optional.of(new RuleEvaluator.Marker(marker.getReleaseId(), marker.getReleasedAt()));
  }

  private void track(String key, RuleState state) {
    if (state.status == RuleState.Status.INACTIVE) {
      active.delete(key);
    } else {
      active.put(key, state.lastDataMs);
    }
  }

  private void emit(AlertRule rule, RuleState state, List<Transition> transitions, long wallMs) {
    for (Transition transition : transitions) {
      AlertEvent event = AlertEvents.of(rule, state, transition, Instant.ofEpochMilli(wallMs));
      LOG.info("{} {} ({}): {}", transition.state(), event.getAlertId(), rule.severity(), event.getSummary());
      meters.events(transition.state()).increment();
      context.forward(new Record<>(event.getAlertId(), event, wallMs));
      if (transition.state() == AlertState.FIRING) {
        meters.fireDelay(rule).record(Duration.ofMillis(Math.max(0, wallMs - transition.outcome().windowEndMs)));
      }
    }
  }

  static String ruleOf(String key) {
    int bar = key.indexOf('|');
    return bar < 0 ? key : key.substring(0, bar);
  }

  /** For tests: the groups waiting for evaluation. */
  static List<KeyValue<String, Long>> pending(KeyValueStore<String, Long> store) {
    List<KeyValue<String, Long>> entries = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = store.all()) {
      it.forEachRemaining(entries::add);
    }
    return entries;
  }
}

package io.llmtrace.processors.alert;

import io.llmtrace.processors.aggregate.MetricsTopology;
import io.llmtrace.processors.common.RecordReader;
import io.llmtrace.processors.common.WriteBackStore;
import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.Topic;
import io.llmtrace.processors.alert.Sample.Routed;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.ReleaseMarker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert stage: metric windows (and, for immediate rules, redacted spans and redaction events) →
 * samples keyed by rule and group → repartitioned by that key → {@link AlertProcessor} → {@code llm.alerts}.
 * Release markers are a global store, indexed by the version they released, for before-release baselines.
 */
public final class AlertTopology {

  private static final Logger LOG = LoggerFactory.getLogger(AlertTopology.class);

  static final String STATES = "alert-rule-states";
  static final String DIRTY = "alert-dirty-groups";
  static final String ACTIVE = "alert-active-groups";
  static final String PROGRESS = "alert-progress";
  static final String RELEASES = "alert-releases";
  static final String SAMPLES = "rule-samples";

  private AlertTopology() {}

  public static Topology build(PipelineTopics topics, List<AlertRule> rules, List<String> groupAttributes, Duration evaluateInterval,
      AlertMeters meters) {
    AlertRouter router = new AlertRouter(rules, groupAttributes);
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, Object> routed = source(builder, topics.metrics(), window -> router.route(window), meters, "metric-windows");
    if (router.watchesSpans()) {
      routed = routed.merge(source(builder, topics.redacted(), (LlmSpan span) -> router.route(span), meters, "policy-violations"));
    }
    evaluate(builder, topics, router, rules, evaluateInterval, meters, routed);
    return builder.build();
  }

  /**
   * The alert stage inside the metrics application ({@code llmtrace.metrics.evaluate-alerts}): samples from the
   * windows as the metrics stage closes them and from the spans it has decoded already (what {@link #tap} accepts),
   * instead of reading them back from their topics; from there on, as {@link #build}.
   */
  public static void attach(StreamsBuilder builder, PipelineTopics topics, List<AlertRule> rules, List<String> groupAttributes,
      Duration evaluateInterval, AlertMeters meters, KStream<String, MetricWindow> windows, KStream<String, LlmSpan> spans) {
    AlertRouter router = new AlertRouter(rules, groupAttributes);
    KStream<String, Object> routed = windows.process(() -> new RouteDecoded<>(router::route, meters), Named.as("metric-windows-route"));
    if (router.watchesSpans()) {
      routed = routed.merge(spans.process(() -> new RouteDecoded<>(router::route, meters), Named.as("policy-violations-route")));
    }
    evaluate(builder, topics, router, rules, evaluateInterval, meters, routed);
  }

  /** The spans the alert stage reads, as {@link MetricsTopology#addTo}'s tap: those an immediate rule may fire on. */
  public static java.util.function.Predicate<LlmSpan> tap(List<AlertRule> rules) {
    AlertRouter router = new AlertRouter(rules, List.of());
    return span -> router.watchesSpans() && AlertRouter.severe(span);
  }

  private static void evaluate(StreamsBuilder builder, PipelineTopics topics, AlertRouter router, List<AlertRule> rules,
      Duration evaluateInterval, AlertMeters meters, KStream<String, Object> routed) {
    JsonSerde<RuleState> stateSerde = new JsonSerde<>(RuleState.class);
    JsonSerde<Routed> routedSerde = new JsonSerde<>(Routed.class);
    // Written back at each commit (WriteBackStore, Kafka Streams' byte cache off under it): a group's samples within a
    // commit interval and its evaluation are one JSON encode, not one decode and encode each.
    builder.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATES), Serdes.String(),
        stateSerde).withCachingDisabled()));
    for (String store : List.of(DIRTY, ACTIVE, PROGRESS)) {
      builder.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
          Serdes.Long()).withCachingDisabled()));
    }
    Topic<String, ReleaseMarker> releaseTopic = topics.releases();
    builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RELEASES), Serdes.String(),
            releaseTopic.valueSerde()).withLoggingDisabled(), releaseTopic.name(),
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("release-markers"),
        () -> new ReleaseIndexer(releaseTopic.valueSerde().deserializer(), meters));
    if (router.watchesRedactionEvents()) {
      routed = routed.merge(source(builder, topics.redactionEvents(), event -> router.route(event), meters, "redaction-failures"));
    }
    RecordReader.split(routed, Routed.class, topics.deadLetters().name())
        .repartition(Repartitioned.with(Serdes.String(), routedSerde).withName(SAMPLES))
        .process(() -> new AlertProcessor(AlertRules.byName(rules), evaluateInterval, meters), Named.as("evaluate"), STATES, DIRTY, ACTIVE,
            PROGRESS)
        .to(topics.alerts().name(), Produced.with(topics.alerts().keySerde(), topics.alerts().valueSerde()).withName("alerts"));
  }

  /** The store key of a release marker: tenant, the dimension it changes, the new value. */
  static String releaseKey(String tenant, String dimension, String version) {
    return tenant + "|" + dimension + "|" + version;
  }

  private static <V> KStream<String, Object> source(StreamsBuilder builder, Topic<String, V> topic, Function<V, List<Routed>> route,
      AlertMeters meters, String name) {
    Deserializer<V> values = topic.valueSerde().deserializer();
    return builder.stream(topic.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(name))
        .process(() -> new Route<>(values, route, meters), Named.as(name + "-route"));
  }

  /** Reads a record into its samples, keyed by rule group. */
  private static final class Route<V> extends RecordReader<V, Routed> {
    private final Function<V, List<Routed>> route;

    Route(Deserializer<V> values, Function<V, List<Routed>> route, AlertMeters meters) {
      super(values, meters.deadLetters);
      this.route = route;
    }

    @Override
    protected List<KeyValue<String, Routed>> read(V value, long timestampMs) {
      List<Routed> samples = route.apply(value);
      List<KeyValue<String, Routed>> out = new ArrayList<>(samples.size());
      for (Routed sample : samples) {
        out.add(KeyValue.pair(AlertRouter.key(sample.rule, sample.group), sample));
      }
      return out;
    }
  }

  /**
   * Routes records another stage of the application decoded already. The records are that stage's own output,
   * so a failure here is a bug, not bad input: counted, logged and skipped so that it does not stop the
   * application, which has no bytes to send to the dead letters.
   */
  private static final class RouteDecoded<V> implements Processor<String, V, String, Object> {
    private final Function<V, List<Routed>> route;
    private final AlertMeters meters;
    private ProcessorContext<String, Object> context;

    RouteDecoded(Function<V, List<Routed>> route, AlertMeters meters) {
      this.route = route;
      this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, V> record) {
      List<Routed> samples;
      try {
        samples = route.apply(record.value());
      } catch (RuntimeException e) {
        meters.deadLetters.increment();
        LOG.warn("a record with key {} could not be routed to alert rules: {}", record.key(), e.toString());
        return;
      }
      for (Routed sample : samples) {
        context.forward(new Record<String, Object>(AlertRouter.key(sample.rule, sample.group), sample, record.timestamp()));
      }
    }
  }

  /** Keeps every release marker under the versions it released (app version, prompt version). */
  private static final class ReleaseIndexer implements Processor<String, byte[], Void, Void> {
    private final Deserializer<ReleaseMarker> values;
    private final AlertMeters meters;
    private KeyValueStore<String, ReleaseMarker> store;

    ReleaseIndexer(Deserializer<ReleaseMarker> values, AlertMeters meters) {
      this.values = values;
      this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(RELEASES);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      ReleaseMarker marker;
      try {
        marker = values.deserialize("releases", record.headers(), record.value());
      } catch (RuntimeException e) {
        meters.deadLetters.increment();
        LOG.warn("unreadable release marker skipped: {}", e.toString());
        return;
      }
      if (marker == null) {
        return;
      }
      if (marker.getAppVersion() != null) {
        store.put(releaseKey(marker.getTenantId(), "app_version", marker.getAppVersion()), marker);
      }
      if (marker.getPromptVersion() != null) {
        store.put(releaseKey(marker.getTenantId(), "prompt_version", marker.getPromptVersion()), marker);
      }
    }
  }

  /** For tests and docs: the store names. */
  static Map<String, String> stores() {
    return Map.of("states", STATES, "dirty", DIRTY, "active", ACTIVE, "progress", PROGRESS, "releases", RELEASES);
  }
}

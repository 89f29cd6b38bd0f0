package io.llmtrace.processors.assemble;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.WriteBackStore;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Trace assembly, built by one method that the tests call: redacted spans (keyed by trace id, so one
 * trace's spans are in one partition and no repartition is needed) → trace summaries, with unreadable
 * records to the dead letters. Values are read as bytes so that such a record reaches them unchanged.
 */
public final class TraceAssemblyTopology {

  static final String SOURCE = "redacted-spans";
  static final String PROCESSOR = "assemble-traces";
  /** The store (and its changelog topic {@code <application id>-trace-assembly-changelog}). */
  public static final String STORE = "trace-assembly";
  static final String TRACES = "trace-summaries";
  static final String DEAD_LETTERS = "dead-letters";

  private TraceAssemblyTopology() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  public static Topology build(PipelineTopics topics, AssemblyConfig.Timing timing, TraceAggregator.Limits limits,
      AssemblyMetrics metrics) {
    TraceAggregator aggregator = new TraceAggregator(limits);
    Topology topology = new Topology();
    topology.addSource(SOURCE, topics.redacted().keyDeserializer(), Serdes.ByteArray().deserializer(), topics.redacted().name());
    topology.addProcessor(PROCESSOR, () -> new TraceAssemblyProcessor(topics.redacted().valueDeserializer(), timing, aggregator, metrics),
        SOURCE);
    // Written back at each commit (WriteBackStore): the spans of a trace in one commit interval cost one state
    // encode, one RocksDB write and one changelog record, not one each. Kafka Streams' own cache is off under
    // it: it would buffer the same writes a second time, as bytes (measured: docs/BENCHMARKS.md).
    topology.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
        TraceStateSerde.serde()).withCachingDisabled()), PROCESSOR);
    // One processor forwards two value types: the sinks are untyped at the join.
    topology.addSink(TRACES, topics.traces().name(), topics.traces().keySerializer(), (Serializer) topics.traces().valueSerializer(),
        PROCESSOR);
    topology.addSink(DEAD_LETTERS, topics.deadLetters().name(), topics.deadLetters().keySerializer(),
        (Serializer) topics.deadLetters().valueSerializer(), PROCESSOR);
    return topology;
  }
}

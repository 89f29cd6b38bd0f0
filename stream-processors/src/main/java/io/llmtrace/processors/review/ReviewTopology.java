package io.llmtrace.processors.review;

import io.llmtrace.processors.common.RecordReader;

import io.llmtrace.processors.common.AvroStateSerde;
import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.review.ReviewReaders.AlertReader;
import io.llmtrace.processors.review.ReviewReaders.DecisionReader;
import io.llmtrace.processors.review.ReviewReaders.TraceReader;
import io.llmtrace.schemas.avro.ReviewItem;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The review queue, built by one method that the tests call:
 *
 * <pre>
 * [llm.traces]         ─▶ trace-reasons (sampling; store review-prompt-versions) ─┐
 * [llm.spans.redacted] ─▶ review-decisions (human_review evaluations)              ├─▶ [review-candidates repartition, by trace id]
 * [llm.alerts]         ─▶ alert-examples (FIRING, RENOTIFY example traces)         ┘        ─▶ review-queue (store review-items) ─▶ [llm.review]
 *                          unreadable records ─▶ [llm.spans.dlq]
 * </pre>
 *
 * Everything the queue decides on goes through one repartition topic keyed by trace id, so that a trace's
 * candidates from all three inputs meet its items in one task (alerts are keyed by episode, and the inputs
 * need not have the same partition count). Only candidates travel: the few traces that qualify and are
 * sampled in, the decisions and the alert examples, not the traffic itself.
 */
public final class ReviewTopology {

  public static final String ITEMS = "review-items";
  public static final String PROMPT_VERSIONS = "review-prompt-versions";
  static final String CANDIDATES = "review-candidates";

  private ReviewTopology() {}

  public static Topology build(PipelineTopics topics, ReviewPolicy policy, ReviewConfig.State state, ReviewMeters meters) {
    StreamsBuilder builder = new StreamsBuilder();
    AvroStateSerde<ReviewItem> itemSerde = new AvroStateSerde<>(ReviewItem.class);
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROMPT_VERSIONS), Serdes.String(), Serdes.Long()));
    // no byte cache: little traffic, and the prefix scans of a decision read the store itself
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ITEMS), Serdes.String(), itemSerde)
        .withCachingDisabled());

    KStream<String, Object> traces = builder.stream(topics.traces().name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
            .withName("trace-summaries"))
        .process(() -> new TraceReader(topics.traces().valueDeserializer(), policy, meters), Named.as("trace-reasons"), PROMPT_VERSIONS);
    KStream<String, Object> decisions = builder.stream(topics.redacted().name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
            .withName("redacted-spans"))
        .process(() -> new DecisionReader(topics.redacted().valueDeserializer(), policy, meters), Named.as("review-decisions"));
    KStream<String, Object> examples = builder.stream(topics.alerts().name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
            .withName("alert-events"))
        .process(() -> new AlertReader(topics.alerts().valueDeserializer(), policy, meters), Named.as("alert-examples"));
    KStream<String, Object> read = traces.merge(decisions, Named.as("traces-and-decisions")).merge(examples, Named.as("all-candidates"));

    RecordReader.split(read, ReviewItem.class, topics.deadLetters().name())
        .repartition(Repartitioned.with(Serdes.String(), itemSerde).withName(CANDIDATES))
        .process(() -> new ReviewQueueProcessor(state, meters), Named.as("review-queue"), ITEMS)
        .to(topics.review().name(), Produced.with(topics.review().keySerde(), topics.review().valueSerde()).withName("review-out"));
    return builder.build();
  }
}

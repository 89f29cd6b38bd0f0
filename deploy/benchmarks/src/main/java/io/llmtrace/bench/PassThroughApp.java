package io.llmtrace.bench;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.processors.common.StreamsSettings;
import io.llmtrace.processors.common.Topic;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The ceiling of {@link StreamsVsPassThrough}: a Kafka Streams application that does what a stage
 * cannot avoid and nothing else. It reads the redacted spans as bytes, decodes each with the
 * pipeline's {@code LlmSpan} serde (as the stages do), encodes it again with the same serde and
 * writes it to {@code llmtrace.passthrough.output}; with {@code llmtrace.passthrough.traces-output} set it
 * copies the trace summaries ({@code llmtrace.topics.traces}) the same way, for a stage that reads both.
 * Run by {@link StreamsRunner}, so exactly_once_v2, the commit interval and every other setting are the
 * stages' ({@code llmtrace.passthrough.*}, {@code llmtrace.streams.*}).
 */
public final class PassThroughApp {

  static final String APP = "passthrough";

  private PassThroughApp() {}

  /** {@code tracesOutput} null: the spans only. */
  static Topology topology(PipelineTopics topics, String output, String tracesOutput) {
    Topology topology = new Topology();
    copy(topology, "redacted-spans", topics.redacted(), output, "decode", "copies");
    if (tracesOutput != null) {
      copy(topology, "trace-summaries", topics.traces(), tracesOutput, "decode-traces", "trace-copies");
    }
    return topology;
  }

  private static <V> void copy(Topology topology, String source, Topic<String, V> input, String output, String decode, String sink) {
    topology.addSource(source, input.keyDeserializer(), Serdes.ByteArray().deserializer(), input.name());
    Deserializer<V> values = input.valueDeserializer();
    topology.addProcessor(decode, () -> new Processor<String, byte[], String, V>() {
      private ProcessorContext<String, V> context;

      @Override
      public void init(ProcessorContext<String, V> context) {
        this.context = context;
      }

      @Override
      public void process(Record<String, byte[]> record) {
        context.forward(record.withValue(values.deserialize(input.name(), record.headers(), record.value())));
      }
    }, source);
    topology.addSink(sink, output, input.keySerializer(), input.valueSerializer(), decode);
  }

  public static void main(String[] args) throws InterruptedException {
    Settings settings = Settings.fromEnvironment();
    StreamsSettings streams = StreamsSettings.from(settings, APP, 0);
    SchemaRegistryClient registry = SchemaRegistryClient.builder(streams.registryUrl()).build();
    PipelineTopics topics = PipelineTopics.create(TopicNames.from(settings), registry);
    System.exit(StreamsRunner.runUntilStopped(APP, topology(topics, settings.required("llmtrace.passthrough.output"),
        settings.string("llmtrace.passthrough.traces-output", null)), streams));
  }
}

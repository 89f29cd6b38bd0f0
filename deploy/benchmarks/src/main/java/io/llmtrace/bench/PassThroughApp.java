package io.llmtrace.bench;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.processors.common.StreamsSettings;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The ceiling of {@link AssemblyVsPassThrough}: a Kafka Streams application that does what trace
 * assembly cannot avoid and nothing else. It reads the redacted spans as bytes, decodes each with the
 * pipeline's {@code LlmSpan} serde (as the assembler does), encodes it again with the same serde and
 * writes it to {@code llmtrace.passthrough.output}; run by {@link StreamsRunner}, so exactly_once_v2, the
 * commit interval and every other setting are the stages' ({@code llmtrace.passthrough.*}, {@code llmtrace.streams.*}).
 */
public final class PassThroughApp {

  static final String APP = "passthrough";

  private PassThroughApp() {}

  static Topology topology(PipelineTopics topics, String output) {
    Topology topology = new Topology();
    topology.addSource("redacted-spans", topics.redacted().keyDeserializer(), Serdes.ByteArray().deserializer(), topics.redacted().name());
    Deserializer<LlmSpan> spans = topics.redacted().valueDeserializer();
    topology.addProcessor("decode", () -> new Processor<String, byte[], String, LlmSpan>() {
      private ProcessorContext<String, LlmSpan> context;

      @Override
      public void init(ProcessorContext<String, LlmSpan> context) {
        this.context = context;
      }

      @Override
      public void process(Record<String, byte[]> record) {
        LlmSpan span = spans.deserialize(topics.redacted().name(), record.headers(), record.value());
        context.forward(record.withValue(span));
      }
    }, "redacted-spans");
    topology.addSink("copies", output, topics.redacted().keySerializer(), topics.redacted().valueSerializer(), "decode");
    return topology;
  }

  public static void main(String[] args) throws InterruptedException {
    Settings settings = Settings.fromEnvironment();
    StreamsSettings streams = StreamsSettings.from(settings, APP, 0);
    SchemaRegistryClient registry = SchemaRegistryClient.builder(streams.registryUrl()).build();
    PipelineTopics topics = PipelineTopics.create(TopicNames.from(settings), registry);
    System.exit(StreamsRunner.runUntilStopped(APP, topology(topics, settings.required("llmtrace.passthrough.output")), streams));
  }
}

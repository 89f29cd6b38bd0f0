package io.llmtrace.processors.common;

import io.llmtrace.schemas.testing.FakeSchemaRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * What every stage's topology test driver starts with: a fake schema registry, the typed topics over it,
 * and the stage's real topology in a {@link TopologyTestDriver} (exactly_once_v2, as in production) whose
 * wall clock starts at the given time. Closing it closes the driver, then the registry.
 */
public final class TopologyFixture implements AutoCloseable {

  public final PipelineTopics topics;
  public final TopologyTestDriver driver;
  private final FakeSchemaRegistry registry;

  private TopologyFixture(FakeSchemaRegistry registry, PipelineTopics topics, TopologyTestDriver driver) {
    this.registry = registry;
    this.topics = topics;
    this.driver = driver;
  }

  public static TopologyFixture start(String applicationId, TopicNames names, Function<PipelineTopics, Topology> topology,
      Instant wallClockStart) {
    FakeSchemaRegistry registry = FakeSchemaRegistry.start();
    try {
      PipelineTopics topics = PipelineTopics.create(names, Map.of("schema.registry.url", registry.url()));
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      return new TopologyFixture(registry, topics, new TopologyTestDriver(topology.apply(topics), props, wallClockStart));
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      driver.close();
    } finally {
      registry.close();
    }
  }
}

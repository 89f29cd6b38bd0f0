package io.llmtrace.processors.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The write-back store under Kafka Streams itself: a processor that only puts (no scan, no punctuation)
 * still gets its values into the changelog at each commit — so Kafka Streams flushes the wrapper before
 * committing — and a key put several times between commits is one changelog record.
 */
class WriteBackStoreTest {

  @Test
  void valuesReachTheChangelogAtEveryCommitOncePerKey() {
    Topology topology = new Topology();
    topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
    topology.addProcessor("count", () -> new Processor<String, String, Void, Void>() {
      private KeyValueStore<String, Long> store;

      @Override
      public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore("counts");
      }

      @Override
      public void process(Record<String, String> record) {
        for (String word : record.value().split(" ")) {
          Long count = store.get(word);
          store.put(word, count == null ? 1 : count + 1);
        }
      }
    }, "in");
    topology.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("counts"), Serdes.String(),
        Serdes.Long())), "count");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "write-back");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);

    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
      TestOutputTopic<String, Long> changelog = driver.createOutputTopic("write-back-counts-changelog", new StringDeserializer(),
          Serdes.Long().deserializer());

      in.pipeInput("k", "a b a a"); // the driver commits after each record

      assertThat(changelog.readKeyValuesToList()).containsExactlyInAnyOrder(KeyValue.pair("a", 3L), KeyValue.pair("b", 1L));

      in.pipeInput("k", "b");
      assertThat(changelog.readKeyValuesToList()).isEqualTo(List.of(KeyValue.pair("b", 2L)));
      KeyValueStore<String, Long> store = driver.getKeyValueStore("counts");
      assertThat(store.get("a")).isEqualTo(3L);
      assertThat(store.get("b")).isEqualTo(2L);
    }
  }
}

package io.llmtrace.processors.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
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

  @Test
  void keptValuesAreReadAgainAfterACommitWithoutADecodeAndDeletedOnesAreGone() {
    AtomicInteger decodes = new AtomicInteger();
    Serde<String> counting = Serdes.serdeFrom(new StringSerializer(), (topic, bytes) -> {
      decodes.incrementAndGet();
      return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    });
    Topology topology = new Topology();
    topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
    // "put k v", "get k", "del k": a get forwards what it read, or "-"
    topology.addProcessor("commands", () -> new Processor<String, String, String, String>() {
      private KeyValueStore<String, String> kept;
      private KeyValueStore<String, String> plain;
      private ProcessorContext<String, String> context;

      @Override
      public void init(ProcessorContext<String, String> context) {
        this.context = context;
        kept = context.getStateStore("kept");
        plain = context.getStateStore("plain");
      }

      @Override
      public void process(Record<String, String> record) {
        String[] command = record.value().split(" ");
        for (KeyValueStore<String, String> store : List.of(kept, plain)) {
          switch (command[0]) {
            case "put" -> store.put(command[1], command[2]);
            case "del" -> store.delete(command[1]);
            default -> {
              String value = store.get(command[1]);
              context.forward(record.withKey(store.name()).withValue(value == null ? "-" : value));
            }
          }
        }
      }
    }, "in");
    topology.addSink("out", "out", new StringSerializer(), new StringSerializer(), "commands");
    topology.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("kept"), Serdes.String(),
        counting).withCachingDisabled(), 10), "commands");
    topology.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("plain"), Serdes.String(),
        Serdes.String()).withCachingDisabled()), "commands");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "write-back-kept");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);

    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
      TestOutputTopic<String, String> out = driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer());

      in.pipeInput("k", "put a 1"); // the driver commits after each record: a is written down
      in.pipeInput("k", "get a");
      assertThat(out.readKeyValuesToList()).containsExactly(KeyValue.pair("kept", "1"), KeyValue.pair("plain", "1"));
      assertThat(decodes.get()).as("read again from the kept object").isZero();

      in.pipeInput("k", "del a");
      in.pipeInput("k", "get a");
      assertThat(out.readKeyValuesToList()).containsExactly(KeyValue.pair("kept", "-"), KeyValue.pair("plain", "-"));
      assertThat(driver.getKeyValueStore("kept").get("a")).isNull();
    }
  }

  @Test
  void aStoreTurnedStandbyAndBackServesWhatWasRestoredIntoItNotWhatItKept() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    @SuppressWarnings("unchecked")
    WriteBackStore<String, String> store = (WriteBackStore<String, String>) WriteBackStore.builder(Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore("kept"), Serdes.String(), Serdes.String()).withLoggingDisabled().withCachingDisabled(), 10).build();
    store.init(context.getStateStoreContext(), store);
    store.put("a", "1");
    store.flush(); // written down, and kept

    // a standby restores the active instance's later value underneath (not through the wrapper), then turns active:
    // Kafka Streams clears the stores' caches, it does not close and init them
    store.wrapped().put("a", "50");
    store.clearCache();

    assertThat(store.get("a")).isEqualTo("50");
    store.close();
  }
}

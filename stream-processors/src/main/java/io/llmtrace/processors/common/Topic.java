package io.llmtrace.processors.common;

import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A topic as the topologies use it: its name and the serdes of its keys and values, so a source or sink
 * cannot be wired with the wrong serde. Built once per application by {@link PipelineTopics}.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  public Topic {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a topic name must not be blank");
    }
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
  }

  public Serializer<K> keySerializer() {
    return keySerde.serializer();
  }

  public Deserializer<K> keyDeserializer() {
    return keySerde.deserializer();
  }

  public Serializer<V> valueSerializer() {
    return valueSerde.serializer();
  }

  public Deserializer<V> valueDeserializer() {
    return valueSerde.deserializer();
  }
}

package io.llmtrace.gateway.publish;

import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A topic the gateway writes to: its name, how a value becomes bytes (the Avro serializer, which
 * registers under the topic's subject) and which key a value goes under, so that one
 * {@link KafkaPublisher} serves spans and release markers with the same durability rules.
 *
 * @param key the record key of a value; it decides the partition (trace id for spans)
 */
public record Topic<V>(String name, Serializer<V> serializer, Function<V, String> key) implements AutoCloseable {

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(serializer, "serializer");
    Objects.requireNonNull(key, "key");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a topic needs a name");
    }
  }

  @Override
  public void close() {
    serializer.close();
  }
}

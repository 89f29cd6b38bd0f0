package io.llmtrace.deploy;

import io.llmtrace.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Prints the Avro records of a topic of the local pipeline as JSON, from the beginning, until Ctrl-C:
 * {@code deploy/run-local.sh tail llm.spans.redacted}. For looking, not for production use.
 */
public final class TailTopic {

  private TailTopic() {}

  public static void main(String[] args) {
    String topic = args.length > 0 ? args[0] : "llm.spans.redacted";
    String bootstrap = System.getProperty("llmtrace.kafka.bootstrap", "127.0.0.1:9092");
    String registry = System.getProperty("llmtrace.schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");
    try (KafkaConsumer<String, GenericRecord> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", "llmtrace-tail-" + System.nanoTime(), "auto.offset.reset", "earliest", "enable.auto.commit", "false"),
        new StringDeserializer(), AvroSerdes.generic(Map.of("schema.registry.url", registry), false).deserializer())) {
      consumer.subscribe(Set.of(topic));
      while (!Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<String, GenericRecord> record : consumer.poll(Duration.ofMillis(500))) {
          System.out.println(record.value());
        }
      }
    }
  }
}

package io.llmtrace.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The stack's parts are real and keep their data across a restart, as the later outage tests need. */
@ExtendWith(LocalStackExtension.class)
class LocalStackIT {

  @Test
  void everyPartReportsHealthy(Stack stack) {
    assertThat(stack.health()).hasSize(3).allSatisfy(h -> assertThat(h.healthy()).as(h.toString()).isTrue());
  }

  @Test
  void brokerRestartKeepsCommittedRecordsAndTransactionsWork(Stack stack, TestNames names) throws Exception {
    String topic = names.topic("events");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.endpoints().kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    // Given records written in a transaction with acks=all (needs the single-node transaction log settings)
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(stack, names.group("tx")))) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
      }
      producer.commitTransaction();
    }

    // When the broker is stopped and started again
    stack.stopKafka();
    assertThat(stack.health().get(0).healthy()).isFalse();
    stack.startKafka();

    // Then the committed records are all there for a read_committed consumer
    assertThat(readAll(stack, topic, 10)).hasSize(10);
  }

  @Test
  void clickhouseRestartKeepsTables(Stack stack, TestNames names) throws Exception {
    String table = names.table("kept");
    HttpClient http = HttpClient.newHttpClient();
    String url = stack.endpoints().clickhouseUrl();
    http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(
        "CREATE TABLE " + table + " (x UInt8) ENGINE = MergeTree ORDER BY x")).build(), HttpResponse.BodyHandlers.ofString());
    http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(
        "INSERT INTO " + table + " VALUES (1), (2), (3)")).build(), HttpResponse.BodyHandlers.ofString());

    stack.stopClickHouse();
    assertThat(stack.health().get(2).healthy()).isFalse();
    stack.startClickHouse();

    HttpResponse<String> count = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(
        "SELECT count() FROM " + table)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(count.body()).isEqualTo("3\n");
  }

  @Test
  void registryRestartKeepsSchemasAndTheirIds(Stack stack, TestNames names) throws Exception {
    String subject = names.topic("kept") + "-value";
    long id = register(stack, subject, "Kept");

    stack.stopRegistry();
    assertThat(stack.health().get(1).healthy()).isFalse();
    stack.startRegistry();

    // Records written before the restart carry this id; it must still name the same schema
    HttpResponse<String> schema = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(stack.endpoints().schemaRegistryUrl() + "/schemas/ids/" + id)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(schema.statusCode()).as(schema.body()).isEqualTo(200);
    assertThat(schema.body()).contains("Kept");
    // and a schema registered afterwards gets a new id, not a reused one
    assertThat(register(stack, subject + "-2", "Later")).isNotEqualTo(id);
  }

  private static long register(Stack stack, String subject, String recordName) throws Exception {
    String schema = "{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"" + recordName
        + "\\\",\\\"fields\\\":[{\\\"name\\\":\\\"x\\\",\\\"type\\\":\\\"int\\\"}]}";
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(stack.endpoints().schemaRegistryUrl() + "/subjects/" + subject + "/versions"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"" + schema + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"id\"\\s*:\\s*(\\d+)").matcher(response.body());
    assertThat(id.find()).as(response.body()).isTrue();
    return Long.parseLong(id.group(1));
  }

  private static Map<String, Object> producerConfig(Stack stack, String transactionalId) {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.endpoints().kafkaBootstrap(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
  }

  private static List<ConsumerRecord<String, String>> readAll(Stack stack, String topic, int expected) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.endpoints().kafkaBootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, topic + ".reader",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(Set.of(topic));
      Await.until(Duration.ofSeconds(60), expected + " records on " + topic, () -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= expected;
      });
    }
    return records;
  }
}

package io.llmtrace.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The serde and registry client against the real thing: a Kafka broker and Apicurio Registry's
 * Confluent-compatible API. What this proves is interoperability: bytes on the topic are the Confluent
 * wire format and can be decoded by anyone holding only the registry URL.
 */
@ExtendWith(LocalStackExtension.class)
class RegistryInteropIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void fullyPopulatedSpanRoundTripsThroughBrokerAndRegistry(StackEndpoints stack, TestNames names) {
    String topic = createTopic(stack, names.topic("spans"));
    LlmSpan span = TestSpans.fullyPopulated();

    produce(stack, topic, span.getTraceId(), span, LlmSpan.class);
    List<ConsumerRecord<String, LlmSpan>> read = consume(stack, topic, AvroSerdes.specific(LlmSpan.class, serdeConfig(stack), false).deserializer(), 1);

    assertThat(read).singleElement().satisfies(record -> {
      assertThat(record.key()).isEqualTo(span.getTraceId());
      assertThat(record.value()).isEqualTo(span);
    });
  }

  @Test
  void everyContractRoundTrips(StackEndpoints stack, TestNames names) {
    for (SpecificRecord record : List.<SpecificRecord>of(TestRecords.traceSummary(), TestRecords.metricWindow(),
        TestRecords.alertEvent(), TestRecords.reviewItem())) {
      String topic = createTopic(stack, names.topic(record.getSchema().getName()));
      roundTrip(stack, topic, record);
    }
  }

  @Test
  void bytesOnTheTopicDecodeWithOnlyTheRegistrysConfluentApi(StackEndpoints stack, TestNames names) throws Exception {
    String topic = createTopic(stack, names.topic("spans"));
    LlmSpan span = TestSpans.fullyPopulated();
    produce(stack, topic, span.getTraceId(), span, LlmSpan.class);

    // Read the raw value and take the wire format apart by hand: magic byte 0, 4-byte big-endian id.
    byte[] value = consume(stack, topic, new ByteArrayDeserializer(), 1).get(0).value();
    assertThat(value[0]).isZero();
    int id = ByteBuffer.wrap(value, 1, 4).getInt();

    // Fetch the writer schema by id with plain HTTP, as any Confluent-compatible client would.
    JsonNode byId = getJson(stack.schemaRegistryUrl() + "/schemas/ids/" + id);
    Schema writer = new Schema.Parser().parse(byId.get("schema").asText());
    SpecificDatumReader<LlmSpan> reader = new SpecificDatumReader<>(writer, LlmSpan.getClassSchema());
    LlmSpan decoded = reader.read(null, DecoderFactory.get().binaryDecoder(Arrays.copyOfRange(value, 5, value.length), null));
    assertThat(decoded).isEqualTo(span);

    // TopicNameStrategy: the id is the latest version of "<topic>-value".
    JsonNode latest = getJson(stack.schemaRegistryUrl() + "/subjects/" + topic + "-value/versions/latest");
    assertThat(latest.get("id").asInt()).isEqualTo(id);
    assertThat(latest.get("subject").asText()).isEqualTo(topic + "-value");
  }

  @Test
  void clientRegistersLooksUpAndChecksCompatibility(StackEndpoints stack, TestNames names) throws Exception {
    SchemaRegistryClient client = SchemaRegistryClient.builder(stack.schemaRegistryUrl()).build();
    String subject = names.topic("contract") + "-value";
    int id = client.register(subject, LlmSpan.getClassSchema());

    assertThat(client.getById(id)).isEqualTo(LlmSpan.getClassSchema());
    assertThat(client.getBySubjectVersion(subject, "latest").id()).isEqualTo(id);
    assertThat(client.lookupId(subject, LlmSpan.getClassSchema())).isEqualTo(id);

    // With BACKWARD compatibility on the subject, the deliberately broken schema is refused by the registry.
    HttpResponse<String> config = http.send(HttpRequest.newBuilder(URI.create(stack.schemaRegistryUrl() + "/config/" + subject))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"BACKWARD\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(config.statusCode()).as(config.body()).isEqualTo(200);
    Schema broken;
    try (InputStream in = getClass().getResourceAsStream("/broken/LlmSpan.avsc")) {
      broken = new Schema.Parser().parse(in);
    }
    assertThat(client.testCompatibility(subject, broken).compatible()).isFalse();
    assertThat(client.testCompatibility(subject, LlmSpan.getClassSchema()).compatible()).isTrue();
  }

  @Test
  void unknownIdFailsNamingRegistryTopicAndId(StackEndpoints stack, TestNames names) {
    String topic = names.topic("spans");
    byte[] unknown = ByteBuffer.allocate(6).put((byte) 0).putInt(987_654).put((byte) 0).array();
    Deserializer<LlmSpan> deserializer = AvroSerdes.specific(LlmSpan.class, serdeConfig(stack), false).deserializer();

    assertThatThrownBy(() -> deserializer.deserialize(topic, unknown))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(stack.schemaRegistryUrl())
        .hasMessageContaining(topic)
        .hasMessageContaining("987654");
  }

  @Test
  void unreachableRegistryFailsNamingItsUrl(StackEndpoints stack, TestNames names) {
    String deadUrl = "http://127.0.0.1:9/apis/ccompat/v7";
    Serializer<LlmSpan> serializer = AvroSerdes.specific(LlmSpan.class, Map.of("schema.registry.url", deadUrl), false).serializer();

    assertThatThrownBy(() -> serializer.serialize(names.topic("spans"), TestSpans.minimal()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(deadUrl)
        .hasMessageContaining("unreachable");
  }

  private <T extends SpecificRecord> void roundTrip(StackEndpoints stack, String topic, T record) {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) record.getClass();
    produce(stack, topic, "k", record, type);
    List<ConsumerRecord<String, T>> read = consume(stack, topic, AvroSerdes.specific(type, serdeConfig(stack), false).deserializer(), 1);
    assertThat(read).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo(record));
  }

  private static Map<String, Object> serdeConfig(StackEndpoints stack) {
    return Map.of("schema.registry.url", stack.schemaRegistryUrl());
  }

  private static String createTopic(StackEndpoints stack, String topic) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      return topic;
    } catch (Exception e) {
      throw new IllegalStateException("could not create " + topic, e);
    }
  }

  private static <T extends SpecificRecord> void produce(StackEndpoints stack, String topic, String key, T value, Class<T> type) {
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, T> producer = new KafkaProducer<>(config, new StringSerializer(),
        AvroSerdes.specific(type, serdeConfig(stack), false).serializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException("could not produce to " + topic, e);
    }
  }

  private static <V> List<ConsumerRecord<String, V>> consume(StackEndpoints stack, String topic, Deserializer<V> values, int expected) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, topic + ".reader",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, V>> records = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
      consumer.subscribe(Set.of(topic));
      Await.until(Duration.ofSeconds(60), expected + " record(s) on " + topic, () -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= expected;
      });
    }
    return records;
  }

  private JsonNode getJson(String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}

package io.llmtrace.schemas.serde;

import io.llmtrace.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Ready-to-use Avro serdes for producers, consumers and Kafka Streams topologies, configured from a
 * plain config map ({@link AvroSerdeConfig} keys) with no class names in config. Pass one
 * {@link SchemaRegistryClient} to several serdes so they share its connection and caches.
 */
public final class AvroSerdes {

  private AvroSerdes() {}

  /** A serde for a generated class, with its own registry client built from {@code config}. */
  public static <T extends SpecificRecord> AvroSerde<T> specific(
      Class<T> type, Map<String, ?> config, boolean isKey) {
    AvroSerdeConfig settings = AvroSerdeConfig.from(config);
    return specific(type, settings.newClient(), settings, isKey);
  }

  /** A serde for a generated class using a shared registry client; {@code config} needs no URL. */
  public static <T extends SpecificRecord> AvroSerde<T> specific(
      Class<T> type, SchemaRegistryClient registry, Map<String, ?> config, boolean isKey) {
    return specific(type, registry, AvroSerdeConfig.fromWithoutUrl(config), isKey);
  }

  /** A serde for GenericRecords (read in the writer's schema), with its own registry client. */
  public static AvroSerde<GenericRecord> generic(Map<String, ?> config, boolean isKey) {
    AvroSerdeConfig settings = AvroSerdeConfig.from(config);
    return generic(settings.newClient(), settings, isKey);
  }

  /** A serde for GenericRecords using a shared registry client; {@code config} needs no URL. */
  public static AvroSerde<GenericRecord> generic(
      SchemaRegistryClient registry, Map<String, ?> config, boolean isKey) {
    return generic(registry, AvroSerdeConfig.fromWithoutUrl(config), isKey);
  }

  private static <T extends SpecificRecord> AvroSerde<T> specific(
      Class<T> type, SchemaRegistryClient registry, AvroSerdeConfig settings, boolean isKey) {
    return new AvroSerde<>(
        new AvroSerializer<>(registry, settings, isKey), new AvroDeserializer<>(registry, type));
  }

  private static AvroSerde<GenericRecord> generic(
      SchemaRegistryClient registry, AvroSerdeConfig settings, boolean isKey) {
    return new AvroSerde<>(
        new AvroSerializer<>(registry, settings, isKey), AvroDeserializer.generic(registry));
  }
}

package io.llmtrace.sink;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * A row of a flat table whose columns are named like the fields of its Avro record ({@code alerts},
 * {@code releases}, {@code review_queue}), as ClickHouse prints it in JSONEachRow, read back into the
 * record by walking the record's schema: an independent path from the hand-written row encoders, so a
 * column written wrongly shows up as a field that differs. Understands what those records hold: strings,
 * numbers, booleans, enums, timestamp-micros, string maps and arrays, and nullable unions of them.
 */
final class AvroRowReader {

  private AvroRowReader() {}

  static <T extends SpecificRecord> T read(JsonNode row, Class<T> type) {
    Schema schema = SpecificData.get().getSchema(type);
    @SuppressWarnings("unchecked")
    T record = (T) SpecificData.newInstance(type, schema);
    for (Schema.Field field : schema.getFields()) {
      JsonNode value = row.get(field.name());
      if (value == null) {
        throw new IllegalArgumentException("row has no column " + field.name() + ": " + row);
      }
      record.put(field.pos(), value(value, field.schema(), field.name()));
    }
    return record;
  }

  private static Object value(JsonNode value, Schema schema, String field) {
    return switch (schema.getType()) {
      case UNION -> value.isNull() ? null : value(value, nonNull(schema, field), field);
      case STRING -> value.asText();
      case BOOLEAN -> value.asBoolean();
      case INT -> value.asInt();
      case LONG -> schema.getLogicalType() instanceof LogicalTypes.TimestampMicros ? time(value) : value.asLong();
      case DOUBLE -> value.asDouble();
      case ENUM -> SpecificData.get().createEnum(value.asText(), schema);
      case ARRAY -> {
        List<Object> items = new ArrayList<>();
        value.forEach(item -> items.add(value(item, schema.getElementType(), field)));
        yield items;
      }
      case MAP -> {
        Map<String, Object> entries = new LinkedHashMap<>();
        value.fields().forEachRemaining(entry -> entries.put(entry.getKey(), value(entry.getValue(), schema.getValueType(), field)));
        yield entries;
      }
      default -> throw new IllegalArgumentException(field + ": no reader for Avro type " + schema);
    };
  }

  private static Schema nonNull(Schema union, String field) {
    List<Schema> types = union.getTypes().stream().filter(type -> type.getType() != Schema.Type.NULL).toList();
    if (types.size() != 1) {
      throw new IllegalArgumentException(field + ": not a nullable union of one type: " + union);
    }
    return types.get(0);
  }

  /** {@code DateTime64(6, 'UTC')} as printed: {@code 2026-06-04 14:15:00.123456}. */
  private static Instant time(JsonNode value) {
    return Instant.parse(value.asText().replace(' ', 'T') + "Z");
  }
}

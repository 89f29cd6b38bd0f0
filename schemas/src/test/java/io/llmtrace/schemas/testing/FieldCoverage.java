package io.llmtrace.schemas.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Walks a record through its schema and lists what a "fully populated" fixture must not have: null
 * values, empty strings, collections and maps, and fields that keep their schema default (false
 * flags, default enum symbols) in every place they occur. Because it is driven by the schema, a new
 * field makes the fixture test fail until the fixture sets it.
 */
public final class FieldCoverage {

  private final List<String> problems = new ArrayList<>();
  private final Set<String> fieldsWithDefault = new LinkedHashSet<>();
  private final Set<String> fieldsChangedFromDefault = new LinkedHashSet<>();

  private FieldCoverage() {}

  /** Every unset or default-valued field of {@code record}, as readable paths; empty when complete. */
  public static List<String> unsetFields(IndexedRecord record) {
    FieldCoverage walk = new FieldCoverage();
    walk.record(record.getSchema().getName(), record);
    for (String field : walk.fieldsWithDefault) {
      if (!walk.fieldsChangedFromDefault.contains(field)) {
        walk.problems.add(field + " never differs from its default");
      }
    }
    return walk.problems;
  }

  private void record(String path, IndexedRecord record) {
    Schema schema = record.getSchema();
    for (Schema.Field field : schema.getFields()) {
      Object value = record.get(field.pos());
      noteDefault(schema.getFullName() + "." + field.name(), field, value);
      value(path + "." + field.name(), field.schema(), value);
    }
  }

  private void noteDefault(String fieldName, Schema.Field field, Object value) {
    Object defaultValue = field.hasDefaultValue() ? field.defaultVal() : null;
    if (defaultValue == null
        || defaultValue == JsonProperties.NULL_VALUE
        || defaultValue instanceof Collection
        || defaultValue instanceof Map) {
      return; // null and empty defaults are caught as null/empty values
    }
    fieldsWithDefault.add(fieldName);
    if (value != null && !value.toString().equals(defaultValue.toString())) {
      fieldsChangedFromDefault.add(fieldName);
    }
  }

  private void value(String path, Schema schema, Object value) {
    if (value == null) {
      problems.add(path + " is null");
      return;
    }
    switch (schema.getType()) {
      case UNION -> value(path, nonNullBranch(schema), value);
      case RECORD -> record(path, (IndexedRecord) value);
      case STRING -> {
        if (value.toString().isEmpty()) {
          problems.add(path + " is an empty string");
        }
      }
      case ARRAY -> {
        Collection<?> items = (Collection<?>) value;
        if (items.isEmpty()) {
          problems.add(path + " is an empty array");
        }
        int i = 0;
        for (Object item : items) {
          value(path + "[" + i++ + "]", schema.getElementType(), item);
        }
      }
      case MAP -> {
        Map<?, ?> map = (Map<?, ?>) value;
        if (map.isEmpty()) {
          problems.add(path + " is an empty map");
        }
        map.forEach((key, item) -> value(path + "[" + key + "]", schema.getValueType(), item));
      }
      default -> {
        // Numbers, booleans and enums are never "empty"; default-valued ones are caught by noteDefault.
      }
    }
  }

  private static Schema nonNullBranch(Schema union) {
    List<Schema> branches =
        union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
    if (branches.size() != 1) {
      throw new IllegalArgumentException("only [null, T] unions are supported, got " + union);
    }
    return branches.get(0);
  }
}

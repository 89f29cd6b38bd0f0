package io.llmtrace.gateway.nativejson;

import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.avro.Conversion;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Builds the {@link ValueReader} tree for a record schema, once, by walking the schema: a field added to
 * LlmSpan.avsc is read without a change here. Types with no agreed JSON form ({@code bytes},
 * {@code fixed}, unions of several non-null types) fail here, at start-up, rather than on the first span
 * that uses them.
 */
final class SchemaReaders {

  private final GenericData data;
  private final Map<String, RecordReader> records = new HashMap<>();

  private SchemaReaders(GenericData data) {
    this.data = data;
  }

  /**
   * @param data        the model whose classes and logical-type conversions the records use (the
   *     generated class's own {@code SpecificData}, so {@code timestamp-micros} becomes an {@code Instant})
   * @param serverOwned top-level fields the payload may not set: whatever it sends for them is skipped
   *     and the field gets the given value (null allowed)
   */
  static RecordReader forRecord(Schema schema, GenericData data, Map<String, Object> serverOwned) {
    return forRecord(schema, data, serverOwned, Set.of());
  }

  /**
   * @param optional top-level fields without a schema default that the payload may still leave out (or
   *     send as null): the record keeps null there for the caller to fill (a generated id, "now")
   */
  static RecordReader forRecord(Schema schema, GenericData data, Map<String, Object> serverOwned, Set<String> optional) {
    for (String name : serverOwned.keySet()) {
      if (schema.getField(name) == null) {
        throw new IllegalArgumentException("server-owned field " + name + " is not in " + schema.getFullName());
      }
    }
    for (String name : optional) {
      if (schema.getField(name) == null || serverOwned.containsKey(name)) {
        throw new IllegalArgumentException("optional field " + name + " is not in " + schema.getFullName() + " or is server-owned");
      }
    }
    return new SchemaReaders(data).record(schema, serverOwned, optional);
  }

  private RecordReader record(Schema schema, Map<String, Object> serverOwned, Set<String> optional) {
    boolean plain = serverOwned.isEmpty() && optional.isEmpty();
    RecordReader known = records.get(schema.getFullName());
    if (known != null && plain) {
      return known;
    }
    RecordReader reader = new RecordReader(schema.getFullName(), factory(schema));
    if (plain) {
      records.put(schema.getFullName(), reader);
    }
    List<RecordReader.Slot> slots = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      slots.add(slot(field, serverOwned, optional));
    }
    reader.bind(slots);
    return reader;
  }

  private RecordReader.Slot slot(Schema.Field field, Map<String, Object> serverOwned, Set<String> optional) {
    String segment = "." + field.name();
    ValueReader reader = reader(field.schema(), field.name());
    if (serverOwned.containsKey(field.name())) {
      Object fixed = serverOwned.get(field.name());
      return new RecordReader.Slot(field.pos(), field.name(), segment, reader, RecordReader.Fill.SERVER_OWNED,
          fixed == null ? null : () -> fixed);
    }
    if (optional.contains(field.name())) {
      // A default of "nothing": absent and null both leave the new record's null in place.
      return new RecordReader.Slot(field.pos(), field.name(), segment, reader, RecordReader.Fill.DEFAULT, null);
    }
    if (!field.hasDefaultValue()) {
      return new RecordReader.Slot(field.pos(), field.name(), segment, reader, RecordReader.Fill.REQUIRED, null);
    }
    return new RecordReader.Slot(field.pos(), field.name(), segment, reader, RecordReader.Fill.DEFAULT, fallback(field));
  }

  /** Null for a null default (a new record holds null already); a fresh copy per use for collections. */
  private Supplier<Object> fallback(Schema.Field field) {
    Object value = data.getDefaultValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Collection<?> || value instanceof Map<?, ?> || value instanceof GenericContainer) {
      Schema schema = field.schema();
      return () -> data.deepCopy(schema, value);
    }
    return () -> value;
  }

  private ValueReader reader(Schema schema, String where) {
    LogicalType logicalType = schema.getLogicalType();
    Conversion<?> conversion = logicalType == null ? null : data.getConversionFor(logicalType);
    if (logicalType != null && schema.getType() == Schema.Type.LONG && logicalType.getName().startsWith("timestamp-")) {
      @SuppressWarnings("unchecked")
      Conversion<Object> timestamps = (Conversion<Object>) conversion;
      return TimestampReader.of(schema, timestamps);
    }
    ValueReader raw = raw(schema, where);
    return conversion == null ? raw : new ConvertingReader(raw, schema, conversion);
  }

  private ValueReader raw(Schema schema, String where) {
    return switch (schema.getType()) {
      case STRING -> new ValueReader.Text();
      case BOOLEAN -> new ValueReader.Bool();
      case INT -> new IntegralReader(false);
      case LONG -> new IntegralReader(true);
      case FLOAT -> new FloatingReader(false);
      case DOUBLE -> new FloatingReader(true);
      case ENUM -> symbols(schema);
      case ARRAY -> new ValueReader.ArrayOf(reader(schema.getElementType(), where));
      case MAP -> new ValueReader.MapOf(reader(schema.getValueType(), where));
      case RECORD -> record(schema, Map.of(), Set.of());
      case UNION -> union(schema, where);
      case NULL, BYTES, FIXED -> throw unsupported(schema, where);
    };
  }

  private ValueReader union(Schema schema, String where) {
    List<Schema> branches = schema.getTypes();
    List<Schema> nonNull = branches.stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
    if (nonNull.size() != 1) {
      throw unsupported(schema, where);
    }
    ValueReader value = reader(nonNull.get(0), where);
    return branches.size() == 1 ? value : new ValueReader.Nullable(value);
  }

  private ValueReader symbols(Schema schema) {
    Map<String, Object> exact = new HashMap<>();
    Map<String, Object> upper = new HashMap<>();
    Set<String> ambiguous = new HashSet<>();
    for (String symbol : schema.getEnumSymbols()) {
      Object value = data.createEnum(symbol, schema);
      exact.put(symbol, value);
      if (upper.put(symbol.toUpperCase(Locale.ROOT), value) != null) {
        ambiguous.add(symbol.toUpperCase(Locale.ROOT));
      }
    }
    upper.keySet().removeAll(ambiguous);
    return new ValueReader.Symbol(exact, upper, String.join(", ", schema.getEnumSymbols()));
  }

  /**
   * The generated class's no-arg constructor as a plain {@code Supplier} (a lambda bound to it, so
   * creating a record costs what {@code new} costs, no reflective call); a generic record when the model
   * is generic.
   */
  @SuppressWarnings("unchecked")
  private Supplier<IndexedRecord> factory(Schema schema) {
    Class<?> type = data instanceof SpecificData specific ? specific.getClass(schema) : null;
    if (type == null || !IndexedRecord.class.isAssignableFrom(type)) {
      return () -> new GenericData.Record(schema);
    }
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodHandle constructor = lookup.findConstructor(type, MethodType.methodType(void.class));
      return (Supplier<IndexedRecord>) LambdaMetafactory.metafactory(lookup, "get", MethodType.methodType(Supplier.class),
          MethodType.methodType(Object.class), constructor, MethodType.methodType(type)).getTarget().invoke();
    } catch (Error e) {
      throw e;
    } catch (Throwable e) {
      // invoke() declares Throwable; what can really come is a missing or inaccessible constructor
      throw new IllegalStateException(type + " has no accessible no-argument constructor", e);
    }
  }

  private static IllegalArgumentException unsupported(Schema schema, String where) {
    return new IllegalArgumentException("field " + where + ": no native JSON form for Avro type " + schema
        + " (supported: string, boolean, int, long, float, double, enum, array, map, record, [null, T])");
  }
}

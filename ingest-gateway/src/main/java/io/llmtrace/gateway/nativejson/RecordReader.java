package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro {@code record} from a JSON object whose member names are the schema's field names. Strict by
 * design, because a typo must not silently drop data: an unknown member is an error (with a "did you
 * mean"), so is a repeated one; a field without a default must be present. Fields with a default take it
 * when absent or JSON null, copied per record so no two spans share a mutable list or map.
 * Server-owned fields are read past whatever the payload holds and always get their fixed value.
 */
final class RecordReader implements ValueReader {

  /** How a field is filled when the payload does not give it a value. */
  enum Fill { REQUIRED, DEFAULT, SERVER_OWNED }

  /**
   * One field of the record, all lookups precomputed.
   *
   * @param segment  the field's JSONPath segment, {@code .name}
   * @param fallback the default, or the fixed value of a server-owned field; a supplier so that mutable
   *     defaults are fresh copies (null supplier: the default is null, which a new record already holds)
   */
  record Slot(int pos, String name, String segment, ValueReader reader, Fill fill, Supplier<Object> fallback) {}

  private static final byte UNSET = 0;
  private static final byte SET = 1;
  private static final byte SEEN_NULL = 2;

  private final String typeName;
  private final Supplier<IndexedRecord> factory;
  private Slot[] slots;
  /** The slots that need work when the payload left them out: required ones and non-null defaults. */
  private Slot[] toFill;
  private Map<String, Slot> byName;
  private List<String> names;
  /**
   * The name instance the parser last gave for each field. Jackson hands out one canonical String per
   * distinct name, and producers mostly write fields in schema order, so guessing "the field after the
   * previous one" and comparing references usually skips the hash lookup and the string comparison.
   * Racy on purpose: a stale entry only costs the ordinary lookup.
   */
  private String[] lastSeen;

  RecordReader(String typeName, Supplier<IndexedRecord> factory) {
    this.typeName = typeName;
    this.factory = factory;
  }

  /** Set once, after construction, so that a recursive schema can refer to its own reader. */
  void bind(List<Slot> fields) {
    slots = fields.toArray(new Slot[0]);
    toFill = fields.stream().filter(s -> s.fill() == Fill.REQUIRED || s.fallback() != null).toArray(Slot[]::new);
    byName = new HashMap<>(fields.size() * 2);
    for (Slot slot : slots) {
      byName.put(slot.name(), slot);
    }
    names = fields.stream().map(Slot::name).toList();
    lastSeen = new String[slots.length];
  }

  @Override
  public Object read(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw ValueReader.mismatch(expected(), parser.currentToken());
    }
    IndexedRecord record = factory.get();
    byte[] state = new byte[slots.length];
    String name;
    int guess = 0;
    while ((name = parser.nextFieldName()) != null) {
      Slot slot = guess < slots.length && lastSeen[guess] == name ? slots[guess] : lookup(name);
      int index = slot.pos();
      guess = index + 1;
      if (state[index] != UNSET) {
        throw FieldError.at(slot.segment(), "duplicate field '" + name + "'");
      }
      JsonToken token = parser.nextToken();
      if (slot.fill() == Fill.SERVER_OWNED) {
        parser.skipChildren();
        state[index] = SEEN_NULL;
      } else if (token == JsonToken.VALUE_NULL && slot.fill() == Fill.DEFAULT) {
        state[index] = SEEN_NULL;
      } else {
        try {
          record.put(index, slot.reader().read(parser));
        } catch (FieldError e) {
          throw e.under(slot.segment());
        }
        state[index] = SET;
      }
    }
    for (Slot slot : toFill) {
      if (state[slot.pos()] == SET) {
        continue;
      }
      if (slot.fill() == Fill.REQUIRED) {
        throw FieldError.at(slot.segment(), "missing required field '" + slot.name() + "'");
      }
      record.put(slot.pos(), slot.fallback().get());
    }
    return record;
  }

  private Slot lookup(String name) {
    Slot slot = byName.get(name);
    if (slot == null) {
      throw FieldError.at(JsonPaths.member(name), "unknown field " + JsonPaths.quote(name) + JsonPaths.suggestion(name, names));
    }
    lastSeen[slot.pos()] = name;
    return slot;
  }

  @Override
  public String expected() {
    return "object";
  }

  @Override
  public String toString() {
    return "RecordReader[" + typeName + "]";
  }
}

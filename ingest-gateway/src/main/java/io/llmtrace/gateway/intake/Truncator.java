package io.llmtrace.gateway.intake;

import io.llmtrace.schemas.avro.LlmSpan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Cuts over-long text to the configured size instead of rejecting the span: a 2 MB prompt is still a
 * span worth keeping. Walks every string of the record (so a new text field is covered without being
 * listed here), appends a visible marker to each cut value, and lists the cut fields in the
 * {@value #ATTRIBUTE} attribute so analysts can tell a truncated value from a short one.
 */
public final class Truncator {

  public static final String ATTRIBUTE = "llmtrace.truncated";

  private final int maxChars;
  private final Map<Schema, int[]> textFields = new java.util.concurrent.ConcurrentHashMap<>();

  public Truncator(int maxChars) {
    this.maxChars = maxChars;
  }

  /** Truncates in place; returns the paths of the fields that were cut. */
  public List<String> truncate(LlmSpan span) {
    if (!hasLongText(span)) {
      // The common case: one allocation-free pass, no paths built.
      return List.of();
    }
    List<String> cut = new ArrayList<>();
    walkRecord(span, "", cut);
    if (!cut.isEmpty()) {
      Map<String, String> attributes = new HashMap<>(span.getAttributes());
      attributes.put(ATTRIBUTE, String.join(",", cut));
      span.setAttributes(attributes);
    }
    return cut;
  }

  /** {@code text} cut to {@code maxChars} with the visible marker, or as it is when it is not longer. */
  public static String cut(CharSequence text, int maxChars) {
    if (text.length() <= maxChars) {
      return text.toString();
    }
    return text.subSequence(0, maxChars) + "…[truncated " + (text.length() - maxChars) + " chars]";
  }

  private boolean hasLongText(Object value) {
    if (value instanceof CharSequence text) {
      return text.length() > maxChars;
    }
    if (value instanceof IndexedRecord record) {
      for (int position : textBearing(record.getSchema())) {
        if (hasLongText(record.get(position))) {
          return true;
        }
      }
      return false;
    }
    if (value instanceof List<?> list) {
      for (Object element : list) {
        if (hasLongText(element)) {
          return true;
        }
      }
      return false;
    }
    if (value instanceof Map<?, ?> map) {
      for (Object element : map.values()) {
        if (hasLongText(element)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Positions of the fields that can hold text (directly or nested); numbers, enums and times are skipped. */
  private int[] textBearing(Schema schema) {
    return textFields.computeIfAbsent(schema, s -> s.getFields().stream()
        .filter(field -> canHoldText(field.schema()))
        .mapToInt(Schema.Field::pos)
        .toArray());
  }

  private static boolean canHoldText(Schema schema) {
    return switch (schema.getType()) {
      case STRING, RECORD, ARRAY, MAP -> true;
      case UNION -> schema.getTypes().stream().anyMatch(Truncator::canHoldText);
      default -> false;
    };
  }

  private void walkRecord(IndexedRecord record, String path, List<String> cut) {
    for (Schema.Field field : record.getSchema().getFields()) {
      Object value = record.get(field.pos());
      Object replaced = walk(value, path + field.name(), cut);
      if (replaced != value) {
        record.put(field.pos(), replaced);
      }
    }
  }

  /** Returns the value to store: the same instance unless a string in it (or it) was cut. */
  @SuppressWarnings("unchecked")
  private Object walk(Object value, String path, List<String> cut) {
    if (value instanceof CharSequence text) {
      if (text.length() <= maxChars) {
        return value;
      }
      cut.add(path);
      return cut(text, maxChars);
    }
    if (value instanceof IndexedRecord nested) {
      walkRecord(nested, path + ".", cut);
      return value;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = null;
      for (int i = 0; i < list.size(); i++) {
        Object element = list.get(i);
        Object replaced = walk(element, path + "[" + i + "]", cut);
        if (replaced != element) {
          copy = copy == null ? new ArrayList<>(list) : copy;
          copy.set(i, replaced);
        }
      }
      return copy == null ? value : copy;
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = null;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        Object replaced = walk(entry.getValue(), path + "['" + entry.getKey() + "']", cut);
        if (replaced != entry.getValue()) {
          copy = copy == null ? new HashMap<>((Map<Object, Object>) map) : copy;
          copy.put(entry.getKey(), replaced);
        }
      }
      return copy == null ? value : copy;
    }
    return value;
  }
}

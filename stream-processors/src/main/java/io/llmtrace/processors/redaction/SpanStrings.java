package io.llmtrace.processors.redaction;

import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.generic.IndexedRecord;

/** Visits every string anywhere in an Avro record (map keys included), without exemptions. */
public final class SpanStrings {

  private SpanStrings() {}

  public static void forEach(IndexedRecord record, Consumer<String> visitor) {
    visit(record, visitor);
  }

  private static void visit(Object v, Consumer<String> visitor) {
    if (v == null) {
      return;
    }
    if (v instanceof CharSequence cs) {
      visitor.accept(cs.toString());
    } else if (v instanceof IndexedRecord r) {
      for (int i = 0, n = r.getSchema().getFields().size(); i < n; i++) {
        visit(r.get(i), visitor);
      }
    } else if (v instanceof Collection<?> c) {
      for (Object e : c) {
        visit(e, visitor);
      }
    } else if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        visit(e.getKey(), visitor);
        visit(e.getValue(), visitor);
      }
    }
  }
}

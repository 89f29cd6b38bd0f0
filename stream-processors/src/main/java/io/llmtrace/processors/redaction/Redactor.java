package io.llmtrace.processors.redaction;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.RedactionSummary;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Applies a {@link RedactionPolicy} to an {@link LlmSpan} by walking the whole record through its
 * Avro schema: every string in every record, union, array and map is scanned, so a field added to
 * the schema later is covered without a code change.
 *
 * <p>Exempt from value detectors (join keys that must stay intact, never free text): the top-level
 * fields {@value #EXEMPT_DOC}. {@code user_id} is HMAC-pseudonymized as a whole ({@code uid_} + 16
 * hex) when the rules say {@code hash_user_ids}, otherwise scanned like any text. The
 * {@code redaction} field is overwritten with the summary. DROP removes the value: null for a
 * nullable field, an empty string otherwise, the entry for a map.
 *
 * <p>{@link #redact(LlmSpan)} returns a deep copy and leaves its argument untouched;
 * {@link #redactInPlace(LlmSpan)} mutates the given span (for callers that own it). Thread-safe.
 */
public final class Redactor {

  static final String EXEMPT_DOC = "trace_id, span_id, parent_span_id, retry_of_span_id, tenant_id, project_id";

  /** Top-level fields never scanned by value detectors. */
  public static final Set<String> EXEMPT_FIELDS =
      Set.of("trace_id", "span_id", "parent_span_id", "retry_of_span_id", "tenant_id", "project_id");

  /** Count key for attributes removed because the allowlist does not name them. */
  public static final String NOT_ALLOWED = "attribute_not_allowed";
  /** Count key for attribute values removed because their key matches a blocked pattern. */
  public static final String BLOCKED_KEY = "blocked_key";
  /** Count key for pseudonymized user ids. */
  public static final String USER_ID = "user_id";

  private static final Object DROP = new Object();

  /** Top-level fields by position: skipped (exempt or the summary), the user id, or scanned. */
  private static final byte SCAN = 0;
  private static final byte SKIP = 1;
  private static final byte USER = 2;
  private static final byte[] TOP_LEVEL = topLevel(LlmSpan.getClassSchema());

  private final RedactionPolicy policy;
  private final TextRedactor baseRedactor;
  private final Map<String, TextRedactor> tenantRedactors = new HashMap<>();

  public Redactor(RedactionPolicy policy) {
    this.policy = policy;
    this.baseRedactor = new TextRedactor(policy.base(), policy.pseudonymizer());
    policy.tenants().forEach((t, r) -> tenantRedactors.put(t, new TextRedactor(r, policy.pseudonymizer())));
  }

  public RedactionPolicy policy() {
    return policy;
  }

  /** The string-level redactor for a tenant (used by tools that redact plain text lines). */
  public TextRedactor textRedactor(String tenantId) {
    return tenantId == null ? baseRedactor : tenantRedactors.getOrDefault(tenantId, baseRedactor);
  }

  /** Redacts a deep copy of {@code span}; the argument is not modified. */
  public LlmSpan redact(LlmSpan span) {
    LlmSpan copy = SpecificData.get().deepCopy(LlmSpan.getClassSchema(), span);
    redactInPlace(copy);
    return copy;
  }

  /** Redacts {@code span} in place and sets its {@code redaction} summary; returns it. */
  public LlmSpan redactInPlace(LlmSpan span) {
    String tenant = span.getTenantId();
    Rules rules = policy.rulesFor(tenant);
    Walk walk = new Walk(rules, textRedactor(tenant), new HashMap<>());
    for (Schema.Field f : span.getSchema().getFields()) {
      byte kind = TOP_LEVEL[f.pos()];
      if (kind == SKIP) {
        continue;
      }
      Object value = span.get(f.pos());
      if (kind == USER && rules.hashUserIds()) {
        if (value != null) {
          span.put(f.pos(), "uid_" + policy.pseudonymizer().hex(value.toString(), 16));
          walk.counts.merge(USER_ID, 1, Integer::sum);
        }
        continue;
      }
      walk.field(span, f, value);
    }
    // The constructor, not a builder: every span gets a summary, and a builder validates each field each time.
    span.setRedaction(new RedactionSummary(true, walk.counts, policy.version()));
    return span;
  }

  private static byte[] topLevel(Schema schema) {
    byte[] kinds = new byte[schema.getFields().size()];
    for (Schema.Field f : schema.getFields()) {
      String name = f.name();
      kinds[f.pos()] = EXEMPT_FIELDS.contains(name) || name.equals("redaction") ? SKIP : name.equals("user_id") ? USER : SCAN;
    }
    return kinds;
  }

  /** One traversal: the tenant's rules and the counts collected so far. */
  private record Walk(Rules rules, TextRedactor text, Map<String, Integer> counts) {

    void field(IndexedRecord rec, Schema.Field f, Object value) {
      Object r = value(f.schema(), value, f.name());
      if (r == DROP) {
        rec.put(f.pos(), emptyFor(f.schema()));
      } else if (r != value) {
        rec.put(f.pos(), r);
      }
    }

    /** Returns the replacement value, the same instance when unchanged, or DROP. */
    @SuppressWarnings("unchecked")
    Object value(Schema s, Object v, String fieldName) {
      if (v == null) {
        return null;
      }
      switch (s.getType()) {
        case STRING: {
          String r = text.redact(v.toString(), counts);
          return r == null ? DROP : r.equals(v.toString()) ? v : r;
        }
        case UNION: {
          return value(nonNullBranch(s, v), v, fieldName);
        }
        case RECORD: {
          IndexedRecord rec = (IndexedRecord) v;
          for (Schema.Field f : s.getFields()) {
            field(rec, f, rec.get(f.pos()));
          }
          return v;
        }
        case ARRAY: {
          ListIterator<Object> it = ((List<Object>) v).listIterator();
          while (it.hasNext()) {
            Object e = it.next();
            Object r = value(s.getElementType(), e, fieldName);
            if (r == DROP) {
              it.set(emptyFor(s.getElementType()));
            } else if (r != e) {
              it.set(r);
            }
          }
          return v;
        }
        case MAP:
          return map(s.getValueType(), (Map<Object, Object>) v, fieldName);
        default:
          return v;
      }
    }

    private Object map(Schema valueSchema, Map<Object, Object> in, String fieldName) {
      boolean stringValues = nonNull(valueSchema).getType() == Schema.Type.STRING;
      AttributeRules attrs = rules.attributes();
      boolean allowlist = attrs.allowlistMode() && fieldName.equals("attributes");
      Map<Object, Object> out = new LinkedHashMap<>(Math.max(4, in.size() * 2));
      for (Map.Entry<Object, Object> e : in.entrySet()) {
        String key = e.getKey().toString();
        Object value = e.getValue();
        if (allowlist && !attrs.allowedKeys().contains(key)) {
          counts.merge(NOT_ALLOWED, 1, Integer::sum);
          continue;
        }
        if (stringValues && value != null && text.isBlockedKey(key)) {
          counts.merge(BLOCKED_KEY, 1, Integer::sum);
          if (attrs.blockedKeyAction() == Action.DROP) {
            continue;
          }
          value = text.replacement(BLOCKED_KEY, attrs.blockedKeyAction(), value.toString());
        } else {
          value = value(valueSchema, value, fieldName);
          if (value == DROP) {
            continue;
          }
        }
        String newKey = text.redact(key, counts);
        if (newKey == null) {
          continue;
        }
        out.put(newKey, value);
      }
      return out;
    }

    /** The branch of {@code v} (not null): for the usual [null, T] without resolving the union by name. */
    private static Schema nonNullBranch(Schema union, Object v) {
      List<Schema> types = union.getTypes();
      if (types.size() == 2 && types.get(0).getType() == Schema.Type.NULL) {
        return types.get(1);
      }
      return types.get(SpecificData.get().resolveUnion(union, v));
    }

    private static Schema nonNull(Schema s) {
      if (s.getType() != Schema.Type.UNION) {
        return s;
      }
      for (Schema b : s.getTypes()) {
        if (b.getType() != Schema.Type.NULL) {
          return b;
        }
      }
      return s;
    }

    private static Object emptyFor(Schema s) {
      if (s.getType() == Schema.Type.UNION && s.getTypes().stream().anyMatch(b -> b.getType() == Schema.Type.NULL)) {
        return null;
      }
      return "";
    }
  }
}

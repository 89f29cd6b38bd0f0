package io.llmtrace.processors.aggregate;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dimension sets windows are grouped by, and their stable ids. Absent values are left out of the
 * map (not stored as empty strings), so "no prompt" is one group, not a dimension value.
 */
public final class Groups {

  public static final String SPANS = "llm.spans";
  public static final String TRACES = "llm.traces";

  private Groups() {}

  /** tenant, environment, service, feature, kind, span name, prompt name and version, model provider and name, attributes. */
  public static Map<String, String> ofSpan(LlmSpan span, List<String> attributeKeys) {
    Map<String, String> dims = new TreeMap<>();
    put(dims, "tenant_id", span.getTenantId());
    put(dims, "environment", span.getEnvironment());
    put(dims, "service_name", span.getServiceName());
    put(dims, "feature_name", span.getFeatureName());
    put(dims, "kind", span.getKind().name());
    put(dims, "span_name", span.getName());
    if (span.getPrompt() != null) {
      put(dims, "prompt_name", span.getPrompt().getName());
      put(dims, "prompt_version", span.getPrompt().getVersion());
    }
    if (span.getModel() != null) {
      put(dims, "model_provider", span.getModel().getProvider());
      put(dims, "model_name", span.getModel().getName());
    }
    for (String key : attributeKeys) {
      put(dims, key, span.getAttributes().get(key));
    }
    return dims;
  }

  /** tenant, environment, feature, release, and the prompt versions the trace used. */
  public static Map<String, String> ofTrace(TraceSummary trace) {
    Map<String, String> dims = new TreeMap<>();
    put(dims, "tenant_id", trace.getTenantId());
    put(dims, "environment", trace.getEnvironment());
    put(dims, "feature_name", trace.getFeatureName());
    put(dims, "app_version", trace.getAppVersion());
    if (!trace.getPromptVersionsUsed().isEmpty()) {
      put(dims, "prompt_versions", String.join(",", trace.getPromptVersionsUsed()));
    }
    return dims;
  }

  /** The group a tenant's observations fall into once it has too many groups in one window. */
  public static Map<String, String> overflow(String tenantId) {
    Map<String, String> dims = new TreeMap<>();
    dims.put("tenant_id", tenantId);
    dims.put("overflow", "true");
    return dims;
  }

  /** 16 hex digits of SHA-256 over the level and the sorted dimensions: the same group, the same id, anywhere. */
  public static String id(String level, Map<String, String> dims) {
    return idOf(text(level, dims));
  }

  /** What {@link #id} hashes: the level and the sorted dimensions, separated by control characters. */
  public static String text(String level, Map<String, String> dims) {
    StringBuilder text = new StringBuilder(160).append(level);
    (dims instanceof TreeMap<String, String> sorted && sorted.comparator() == null ? dims : new TreeMap<>(dims))
        .forEach((key, value) -> text.append('\u0001').append(key).append('\u0002').append(value));
    return text.toString();
  }

  /** The id of a group's {@link #text}. */
  public static String idOf(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void put(Map<String, String> dims, String key, String value) {
    if (value != null && !value.isEmpty()) {
      dims.put(key, value);
    }
  }
}

package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.AttributeValues.asBoolean;
import static io.llmtrace.gateway.otlp.AttributeValues.asDouble;
import static io.llmtrace.gateway.otlp.AttributeValues.asInt;
import static io.llmtrace.gateway.otlp.AttributeValues.asLong;
import static io.llmtrace.gateway.otlp.AttributeValues.asText;
import static io.llmtrace.gateway.otlp.SpanDraft.DEPRECATED;
import static io.llmtrace.gateway.otlp.SpanDraft.EXPLICIT;
import static io.llmtrace.gateway.otlp.SpanDraft.OPENINFERENCE;

import io.llmtrace.schemas.avro.SpanKind;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.Locale;

/**
 * Span attributes that say who and what a span is for and how it went, outside the GenAI and
 * OpenInference namespaces: general OTel keys ({@code session.id}, {@code user.id}, {@code error.type},
 * {@code http.*}) and our own {@code llmtrace.*} keys, which name LlmSpan fields no convention has
 * (prompt version, attempt, fallback, feature). The reliability flags are also inferred from the
 * error type and HTTP status, see {@link #noteError}.
 */
final class ContextMapping {

  static final String PROMPT_VARIABLE_PREFIX = "llmtrace.prompt.variables.";

  private ContextMapping() {}

  /** @return whether the attribute was mapped (otherwise it goes to the attribute map) */
  static boolean apply(String key, AnyValue value, SpanDraft d) {
    switch (key) {
      case "session.id":
        return d.offer(d.sessionId, key, asText(value), OPENINFERENCE);
      case "llmtrace.session_id":
        return d.offer(d.sessionId, key, asText(value), EXPLICIT);
      case "user.id":
        return d.offer(d.userId, key, asText(value), OPENINFERENCE);
      case "enduser.id":
        return d.offer(d.userId, key, asText(value), DEPRECATED);
      case "llmtrace.user_id":
        return d.offer(d.userId, key, asText(value), EXPLICIT);
      case "llmtrace.request_id":
        return d.offer(d.requestId, key, asText(value), EXPLICIT);
      case "request.id":
        return d.offer(d.requestId, key, asText(value), OPENINFERENCE);
      case "http.request.id":
        return d.offer(d.requestId, key, asText(value), DEPRECATED);
      case "llmtrace.feature_name":
        return d.offer(d.featureName, key, asText(value), EXPLICIT);
      case "llmtrace.feature":
        return d.offer(d.featureName, key, asText(value), DEPRECATED);
      case "llmtrace.project":
        return d.offer(d.projectId, key, asText(value), EXPLICIT);
      case "llmtrace.span.kind":
        return d.offer(d.declaredKind, key, kind(asText(value)), EXPLICIT);
      case "llmtrace.attempt":
        return d.offer(d.attempt, key, asInt(value), EXPLICIT);
      case "http.request.resend_count": {
        // OTel counts resends (0 for the first try); LlmSpan counts attempts from 1.
        Integer resends = asInt(value);
        return d.offer(d.attempt, key, resends == null || resends == Integer.MAX_VALUE ? null : resends + 1, DEPRECATED);
      }
      case "llmtrace.retry_of", "llmtrace.retry_of_span_id":
        return d.offer(d.retryOf, key, asText(value), EXPLICIT);
      case "llmtrace.fallback":
        return flag(value, b -> d.fallback |= b);
      case "llmtrace.rate_limited":
        return flag(value, b -> d.rateLimited |= b);
      case "llmtrace.timed_out":
        return flag(value, b -> d.timedOut |= b);
      case "error.type": {
        String type = asText(value);
        noteError(type, d);
        return d.offer(d.errorType, key, type, EXPLICIT);
      }
      case "http.response.status_code": {
        Long status = asLong(value);
        d.rateLimited |= status != null && status == 429;
        return false; // a flag is not the status code: keep the attribute
      }
      case "llmtrace.prompt.name":
        return d.offer(d.promptName, key, asText(value), EXPLICIT);
      case "llmtrace.prompt.version":
        return d.offer(d.promptVersion, key, asText(value), EXPLICIT);
      case "llmtrace.prompt.template_id":
        return d.offer(d.templateId, key, asText(value), EXPLICIT);
      case "llmtrace.prompt.template":
        return d.offer(d.promptTemplate, key, asText(value), EXPLICIT);
      case "llmtrace.tool.call_id":
        return d.offer(d.toolCallId, key, asText(value), EXPLICIT);
      case "llmtrace.policy.severity":
        return d.offer(d.policySeverity, key, severity(asText(value)), EXPLICIT);
      case "llmtrace.citation_coverage":
        return d.offer(d.citationCoverage, key, share(asDouble(value)), EXPLICIT);
      case "llmtrace.model.version":
        return d.offer(d.modelVersion, key, asText(value), EXPLICIT);
      case "llmtrace.model.region":
        return d.offer(d.modelRegion, key, asText(value), EXPLICIT);
      case "llmtrace.cost.amount":
        return d.offer(d.costAmount, key, asDouble(value), EXPLICIT);
      case "llmtrace.cost.currency": {
        String currency = asText(value);
        return d.offer(d.costCurrency, key, currency == null ? null : currency.toUpperCase(Locale.ROOT), EXPLICIT);
      }
      case "llmtrace.retrieval.index":
        return d.offer(d.indexName, key, asText(value), EXPLICIT);
      case "llmtrace.retrieval.index_version":
        return d.offer(d.indexVersion, key, asText(value), EXPLICIT);
      default:
        if (key.startsWith(PROMPT_VARIABLE_PREFIX) && key.length() > PROMPT_VARIABLE_PREFIX.length()) {
          String text = AttributeValues.render(value);
          d.promptVariables().put(key.substring(PROMPT_VARIABLE_PREFIX.length()), text);
          return true;
        }
        return false;
    }
  }

  /**
   * Infers the reliability flags from an error type: providers and SDKs name timeouts and rate limits
   * in many ways ({@code timeout}, {@code APITimeoutError}, {@code SocketTimeoutException},
   * {@code RateLimitError}, {@code rate_limit_exceeded}, {@code 429}), all of which contain one of these.
   */
  static void noteError(String errorType, SpanDraft d) {
    if (errorType == null) {
      return;
    }
    String type = errorType.toLowerCase(Locale.ROOT);
    d.timedOut |= type.contains("timeout") || type.contains("timed_out") || type.contains("deadline_exceeded");
    d.rateLimited |= type.contains("ratelimit") || type.contains("rate_limit") || type.equals("429")
        || type.contains("too_many_requests") || type.contains("toomanyrequests");
  }

  /**
   * A check's severity in the four levels the metrics count ({@code low}, {@code medium}, {@code high},
   * {@code critical}; any case), the scale of OTel's {@code gen_ai.security.risk.severity}; anything else
   * (its {@code none}, a vendor's {@code warning}) is no severity and the attribute is kept.
   */
  static String severity(String value) {
    if (value == null) {
      return null;
    }
    String level = value.strip().toLowerCase(Locale.ROOT);
    return switch (level) {
      case "low", "medium", "high", "critical" -> level;
      default -> null;
    };
  }

  /** Ranks severities so the worst of several findings wins; 0 for none. */
  static int rank(String severity) {
    if (severity == null) {
      return 0;
    }
    return switch (severity) {
      case "low" -> 1;
      case "medium" -> 2;
      case "high" -> 3;
      case "critical" -> 4;
      default -> 0;
    };
  }

  /** A share in 0..1; outside it (a percentage, a typo) the attribute is kept rather than stored wrongly. */
  private static Double share(Double value) {
    return value != null && value >= 0 && value <= 1 ? value : null;
  }

  /** Our span kinds by name ({@code WORKFLOW}, {@code POLICY_CHECK}: no OTel convention has them). */
  private static SpanKind kind(String name) {
    if (name == null) {
      return null;
    }
    try {
      return SpanKind.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private interface FlagSetter {
    void set(boolean value);
  }

  private static boolean flag(AnyValue value, FlagSetter setter) {
    Boolean flag = asBoolean(value);
    if (flag == null) {
      return false;
    }
    setter.set(flag);
    return true;
  }
}

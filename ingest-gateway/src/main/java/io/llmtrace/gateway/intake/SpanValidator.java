package io.llmtrace.gateway.intake;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.GenerationSettings;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.RetrievedDocument;
import io.llmtrace.schemas.avro.TokenUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The semantic checks every span passes after it was decoded, whatever the protocol: identifiers that
 * downstream joins rely on, plausible timestamps and durations, non-negative counts and finite
 * numbers. Returns the first violation as (field path relative to the span, reason).
 */
public final class SpanValidator {

  private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
  private static final Set<String> SEVERITIES = Set.of("low", "medium", "high", "critical");

  private final IntakeLimits limits;

  public SpanValidator(IntakeLimits limits) {
    this.limits = limits;
  }

  /** A field that failed, relative to the span ({@code usage.input_tokens}), and why. */
  public record Violation(String field, String reason) {}

  public Optional<Violation> validate(LlmSpan span, Instant now) {
    return firstOf(
        id("trace_id", span.getTraceId(), true),
        allZero("trace_id", span.getTraceId()),
        id("span_id", span.getSpanId(), true),
        allZero("span_id", span.getSpanId()),
        id("parent_span_id", span.getParentSpanId(), false),
        span.getSpanId().equals(span.getParentSpanId()) ? violation("parent_span_id", "a span cannot be its own parent") : null,
        span.getName().isBlank() ? violation("name", "must not be empty") : null,
        times(span, now),
        span.getAttempt() != null && span.getAttempt() < 0 ? violation("attempt", "must be >= 0, got " + span.getAttempt()) : null,
        usage(span.getUsage()),
        cost(span.getCost()),
        settings(span.getGenerationSettings()),
        documents(span),
        evaluations(span.getEvaluations()),
        quality(span));
  }

  /** The levels and the range the metrics stage counts by; OTLP mapping only ever produces these. */
  private static Violation quality(LlmSpan span) {
    String severity = span.getPolicySeverity();
    if (severity != null && !SEVERITIES.contains(severity)) {
      return violation("policy_severity", "must be one of low, medium, high, critical (lower case), got '" + severity + "'");
    }
    Double coverage = span.getCitationCoverage();
    if (coverage != null && !(coverage >= 0 && coverage <= 1)) {
      return violation("citation_coverage", "must be between 0 and 1, got " + coverage);
    }
    return null;
  }

  private Violation times(LlmSpan span, Instant now) {
    Instant start = span.getStartTime();
    Instant end = span.getEndTime();
    if (start.isBefore(EARLIEST) || start.isBefore(now.minus(limits.maxAge()))) {
      return violation("start_time", "is " + start + ", older than the accepted " + limits.maxAge().toDays() + " days");
    }
    if (start.isAfter(now.plus(limits.maxFuture()))) {
      return violation("start_time", "is " + start + ", in the future (more than " + limits.maxFuture().toMinutes() + " min ahead)");
    }
    if (end.isBefore(start)) {
      return violation("end_time", "is before start_time (negative duration of " + Duration.between(end, start).toNanos() / 1000 + " µs)");
    }
    if (Duration.between(start, end).compareTo(limits.maxDuration()) > 0) {
      return violation("end_time", "gives a duration longer than " + limits.maxDuration().toHours() + " h");
    }
    return null;
  }

  private static Violation usage(TokenUsage usage) {
    if (usage == null) {
      return null;
    }
    return firstOf(
        nonNegative("usage.input_tokens", usage.getInputTokens()),
        nonNegative("usage.output_tokens", usage.getOutputTokens()),
        nonNegative("usage.cache_read_tokens", usage.getCacheReadTokens()),
        nonNegative("usage.cache_write_tokens", usage.getCacheWriteTokens()),
        nonNegative("usage.reasoning_tokens", usage.getReasoningTokens()),
        nonNegative("usage.total_tokens", usage.getTotalTokens())).orElse(null);
  }

  private static Violation cost(Cost cost) {
    if (cost == null) {
      return null;
    }
    Double amount = cost.getAmount();
    if (amount == null && cost.getSource() != CostSource.UNKNOWN) {
      // null means "no price applied"; a REPORTED or COMPUTED cost without a figure would read as priced
      return violation("cost.amount", "is null (unknown) but source is " + cost.getSource() + "; send an amount or source UNKNOWN");
    }
    if (amount != null && (!Double.isFinite(amount) || amount < 0)) {
      return violation("cost.amount", "must be a finite number >= 0, got " + amount);
    }
    if (cost.getCurrency() != null && !isCurrencyCode(cost.getCurrency())) {
      return violation("cost.currency", "must be an ISO 4217 code such as USD, got '" + cost.getCurrency() + "'");
    }
    return null;
  }

  private static boolean isCurrencyCode(String code) {
    return code.length() == 3 && code.chars().allMatch(c -> c >= 'A' && c <= 'Z');
  }

  private static Violation settings(GenerationSettings settings) {
    if (settings == null) {
      return null;
    }
    if (settings.getTemperature() != null && !(settings.getTemperature() >= 0 && settings.getTemperature() <= 10)) {
      return violation("generation_settings.temperature", "must be between 0 and 10, got " + settings.getTemperature());
    }
    if (settings.getTopP() != null && !(settings.getTopP() >= 0 && settings.getTopP() <= 1)) {
      return violation("generation_settings.top_p", "must be between 0 and 1, got " + settings.getTopP());
    }
    if (settings.getMaxTokens() != null && settings.getMaxTokens() < 0) {
      return violation("generation_settings.max_tokens", "must be >= 0, got " + settings.getMaxTokens());
    }
    return null;
  }

  private static Violation documents(LlmSpan span) {
    if (span.getRetrieval() == null) {
      return null;
    }
    List<RetrievedDocument> docs = span.getRetrieval().getDocuments();
    for (int i = 0; i < docs.size(); i++) {
      RetrievedDocument doc = docs.get(i);
      if (doc.getDocId().isBlank()) {
        return violation("retrieval.documents[" + i + "].doc_id", "must not be empty");
      }
      if (doc.getScore() != null && !Double.isFinite(doc.getScore())) {
        return violation("retrieval.documents[" + i + "].score", "must be a finite number");
      }
      if (doc.getRerankScore() != null && !Double.isFinite(doc.getRerankScore())) {
        return violation("retrieval.documents[" + i + "].rerank_score", "must be a finite number");
      }
    }
    return null;
  }

  private static Violation evaluations(List<Evaluation> evaluations) {
    for (int i = 0; i < evaluations.size(); i++) {
      Evaluation evaluation = evaluations.get(i);
      if (evaluation.getEvaluatorName().isBlank()) {
        return violation("evaluations[" + i + "].evaluator_name", "must not be empty");
      }
      if (evaluation.getScore() != null && !Double.isFinite(evaluation.getScore())) {
        return violation("evaluations[" + i + "].score", "must be a finite number");
      }
    }
    return null;
  }

  private static Violation id(String field, String value, boolean required) {
    if (value == null || value.isEmpty()) {
      return required ? violation(field, "is required") : null;
    }
    return isId(value)
        ? null
        : violation(field, "must be 1-128 characters of [0-9A-Za-z._:-] starting with a letter or digit");
  }

  /** W3C ids are hex, but native producers use UUIDs and ULIDs too; no spaces, quotes or control chars. */
  private static boolean isId(String value) {
    if (value.length() > 128 || !Character.isLetterOrDigit(value.charAt(0)) || value.charAt(0) > 'z') {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static Violation allZero(String field, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) != '0') {
        return null;
      }
    }
    return violation(field, "must not be all zeros (an invalid W3C trace context id)");
  }

  private static Violation nonNegative(String field, Long value) {
    return value != null && value < 0 ? violation(field, "must be >= 0, got " + value) : null;
  }

  private static Violation violation(String field, String reason) {
    return new Violation(field, reason);
  }

  private static Optional<Violation> firstOf(Violation... candidates) {
    for (Violation candidate : candidates) {
      if (candidate != null) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}

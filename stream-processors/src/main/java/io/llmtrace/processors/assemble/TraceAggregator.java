package io.llmtrace.processors.assemble;

import io.llmtrace.processors.assemble.state.ErrorRef;
import io.llmtrace.processors.enrich.FeedbackPolarity;
import io.llmtrace.processors.enrich.SpanUsage;
import io.llmtrace.processors.assemble.state.EvalAgg;
import io.llmtrace.processors.assemble.state.RankedValue;
import io.llmtrace.processors.assemble.state.RootRef;
import io.llmtrace.processors.assemble.state.SlowRef;
import io.llmtrace.processors.assemble.state.SpanDigest;
import io.llmtrace.processors.assemble.state.TraceState;
import io.llmtrace.schemas.avro.CriticalStep;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.EvaluationOutcome;
import io.llmtrace.schemas.avro.Feedback;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SlowestSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.avro.TraceError;
import io.llmtrace.schemas.avro.TraceOutcome;
import io.llmtrace.schemas.avro.TraceStatus;
import io.llmtrace.schemas.avro.TraceSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Folds spans into a {@link TraceState} and reads a {@link TraceSummary} from it. Kafka-free, so it is
 * tested on its own (and the processor around it only decides when).
 *
 * <p>Every field is an order-independent function of the set of distinct spans: sums and counts commute;
 * "first" and "slowest" are chosen by (start or duration, then span id), not by arrival; trace-level
 * dimensions come from the root span, else from the earliest span that has them; sets are kept sorted.
 * So in-order, shuffled and duplicated arrival give the same summary — as long as the trace stays within
 * the caps (see {@link Limits}); past them it is marked {@code truncated}.
 */
public final class TraceAggregator {

  /** Trace-level values taken from the root span first (keys of {@code TraceState.dimensions}). */
  static final List<String> DIMENSIONS = List.of("tenant_id", "environment", "service_name", "feature_name", "app_version",
      "request_id", "session_id", "user_id");

  /**
   * @param maxSpans          distinct spans tracked one by one (deduplication, critical path)
   * @param maxDistinctValues distinct prompts, prompt versions, models and evaluators kept per trace
   */
  public record Limits(int maxSpans, int maxDistinctValues) {
    public Limits {
      if (maxSpans < 1 || maxDistinctValues < 1) {
        throw new IllegalArgumentException("limits must be positive: " + maxSpans + ", " + maxDistinctValues);
      }
    }
  }

  /** Costs are summed as integers of this many units per currency unit (see TraceState.cost_pico). */
  static final double PICO = 1e12;

  private final Limits limits;

  public TraceAggregator(Limits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** A state for a trace whose first span has not been added yet. */
  public static TraceState empty(String traceId) {
    return TraceState.newBuilder().setTraceId(traceId).setStart(Long.MAX_VALUE).setEnd(Long.MIN_VALUE)
        .setDimensions(new HashMap<>()).setKindCounts(new HashMap<>()).setPromptNames(new ArrayList<>())
        .setPromptVersions(new ArrayList<>()).setModels(new ArrayList<>()).setEvaluations(new HashMap<>())
        .setSpans(new ArrayList<>()).build();
  }

  /** True when {@code spanId} was aggregated already (only spans within the cap can be recognised). */
  public static boolean contains(TraceState state, String spanId) {
    for (SpanDigest digest : state.getSpans()) {
      if (digest.getSpanId().equals(spanId)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds a span; false (and nothing changes but the duplicate count) when it is a duplicate.
   */
  public boolean add(TraceState state, LlmSpan span) {
    if (contains(state, span.getSpanId())) {
      state.setDuplicates(state.getDuplicates() + 1);
      return false;
    }
    long start = micros(span.getStartTime());
    long end = Math.max(start, micros(span.getEndTime()));
    boolean root = span.getParentSpanId() == null || span.getParentSpanId().isEmpty();
    if (state.getSpans().size() < limits.maxSpans()) {
      state.getSpans().add(new SpanDigest(span.getSpanId(), root ? null : span.getParentSpanId(), span.getName(), start, end));
    } else {
      state.setTruncated(true);
    }
    state.setSpanCount(state.getSpanCount() + 1);
    state.setStart(Math.min(state.getStart(), start));
    state.setEnd(Math.max(state.getEnd(), end));
    dimensions(state, span, root, start);
    if (root) {
      RootRef current = state.getRoot();
      if (current == null || start < current.getStart() || start == current.getStart() && span.getSpanId().compareTo(current.getSpanId()) < 0) {
        state.setRoot(new RootRef(span.getSpanId(), span.getName(), span.getKind().name(), span.getStatus().name(), start));
      }
    }
    counts(state, span);
    tokensAndCost(state, span);
    values(state, span);
    if (!root) {
      long duration = end - start;
      SlowRef slowest = state.getSlowest();
      if (slowest == null || duration > slowest.getDuration()
          || duration == slowest.getDuration() && span.getSpanId().compareTo(slowest.getSpanId()) < 0) {
        state.setSlowest(new SlowRef(span.getSpanId(), span.getName(), span.getKind().name(), duration));
      }
    }
    return true;
  }

  private static void dimensions(TraceState state, LlmSpan span, boolean root, long start) {
    offer(state, "tenant_id", span.getTenantId(), root, start, span.getSpanId());
    offer(state, "environment", span.getEnvironment(), root, start, span.getSpanId());
    offer(state, "service_name", span.getServiceName(), root, start, span.getSpanId());
    offer(state, "feature_name", span.getFeatureName(), root, start, span.getSpanId());
    offer(state, "app_version", span.getAppVersion(), root, start, span.getSpanId());
    offer(state, "request_id", span.getRequestId(), root, start, span.getSpanId());
    offer(state, "session_id", span.getSessionId(), root, start, span.getSpanId());
    offer(state, "user_id", span.getUserId(), root, start, span.getSpanId());
  }

  private static void offer(TraceState state, String key, String value, boolean root, long start, String spanId) {
    if (value == null || value.isEmpty()) {
      return;
    }
    RankedValue current = state.getDimensions().get(key);
    if (current == null || ranksBefore(root, start, spanId, current)) {
      state.getDimensions().put(key, new RankedValue(value, root, start, spanId));
    }
  }

  private static boolean ranksBefore(boolean root, long start, String spanId, RankedValue other) {
    if (root != other.getRoot()) {
      return root;
    }
    if (start != other.getStart()) {
      return start < other.getStart();
    }
    return spanId.compareTo(other.getSpanId()) < 0;
  }

  private void counts(TraceState state, LlmSpan span) {
    state.getKindCounts().merge(span.getKind().name(), 1, Integer::sum);
    if (span.getRetryOfSpanId() != null || span.getAttempt() != null && span.getAttempt() > 1) {
      state.setRetries(state.getRetries() + 1);
    }
    if (span.getFallback()) {
      state.setFallbacks(state.getFallbacks() + 1);
    }
    if (span.getTimedOut()) {
      state.setTimeouts(state.getTimeouts() + 1);
    }
    if (span.getRateLimited()) {
      state.setRateLimited(state.getRateLimited() + 1);
    }
    boolean failedEvaluation = false;
    for (Evaluation evaluation : span.getEvaluations()) {
      if (Boolean.FALSE.equals(evaluation.getPassed())) {
        failedEvaluation = true;
        state.setFailedEvaluations(state.getFailedEvaluations() + 1);
      }
      evaluation(state, evaluation);
    }
    boolean error = span.getStatus() == SpanStatus.ERROR;
    if (error) {
      state.setErrors(state.getErrors() + 1);
    }
    boolean check = span.getKind() == SpanKind.POLICY_CHECK || span.getKind() == SpanKind.GUARDRAIL;
    if (check && (error || failedEvaluation)) {
      state.setPolicyCheckFailures(state.getPolicyCheckFailures() + 1);
    }
    if (error || check && failedEvaluation) {
      long start = micros(span.getStartTime());
      ErrorRef first = state.getFirstError();
      if (first == null || start < first.getStart() || start == first.getStart() && span.getSpanId().compareTo(first.getSpanId()) < 0) {
        String type = span.getErrorType() != null ? span.getErrorType() : error ? null : "failed_check";
        state.setFirstError(new ErrorRef(span.getSpanId(), span.getName(), start, type, span.getErrorMessage()));
      }
    }
    for (Feedback feedback : span.getFeedback()) {
      state.setFeedbackCount(state.getFeedbackCount() + 1);
      switch (FeedbackPolarity.of(feedback)) {
        case POSITIVE -> state.setPositiveFeedback(state.getPositiveFeedback() + 1);
        case NEGATIVE -> state.setNegativeFeedback(state.getNegativeFeedback() + 1);
        case NEUTRAL -> { }
      }
    }
  }

  private void evaluation(TraceState state, Evaluation evaluation) {
    EvalAgg agg = state.getEvaluations().get(evaluation.getEvaluatorName());
    if (agg == null) {
      if (state.getEvaluations().size() >= limits.maxDistinctValues()) {
        state.setTruncated(true);
        return;
      }
      agg = new EvalAgg(0, 0, null);
      state.getEvaluations().put(evaluation.getEvaluatorName(), agg);
    }
    if (Boolean.TRUE.equals(evaluation.getPassed())) {
      agg.setPassed(agg.getPassed() + 1);
    } else if (Boolean.FALSE.equals(evaluation.getPassed())) {
      agg.setFailed(agg.getFailed() + 1);
    }
    Double score = evaluation.getScore();
    if (score != null && !score.isNaN() && (agg.getMinScore() == null || score < agg.getMinScore())) {
      agg.setMinScore(score);
    }
  }

  private static void tokensAndCost(TraceState state, LlmSpan span) {
    SpanUsage usage = SpanUsage.of(span);
    state.setInputTokens(state.getInputTokens() + usage.input());
    state.setOutputTokens(state.getOutputTokens() + usage.output());
    state.setCacheReadTokens(state.getCacheReadTokens() + usage.cacheRead());
    state.setCacheWriteTokens(state.getCacheWriteTokens() + usage.cacheWrite());
    state.setReasoningTokens(state.getReasoningTokens() + usage.reasoning());
    state.setTotalTokens(state.getTotalTokens() + usage.total());
    if (usage.cost() != null) {
      state.setCostPico(saturatingAdd(state.getCostPico(), Math.round(usage.cost() * PICO)));
      state.setPricedSpans(state.getPricedSpans() + 1);
    } else if (usage.unknownCost()) {
      state.setUnknownCostSpans(state.getUnknownCostSpans() + 1);
    }
  }


  private void values(TraceState state, LlmSpan span) {
    if (span.getPrompt() != null) {
      String name = span.getPrompt().getName();
      String version = span.getPrompt().getVersion();
      if (name != null) {
        insertSorted(state, state.getPromptNames(), name);
      }
      if (name != null || version != null) {
        insertSorted(state, state.getPromptVersions(), (name == null ? "" : name) + "@" + (version == null ? "" : version));
      }
    }
    if (span.getModel() != null && span.getModel().getName() != null) {
      insertSorted(state, state.getModels(), span.getModel().getName());
    }
  }

  private void insertSorted(TraceState state, List<String> sorted, String value) {
    int at = Collections.binarySearch(sorted, value);
    if (at >= 0) {
      return;
    }
    if (sorted.size() >= limits.maxDistinctValues()) {
      state.setTruncated(true);
      return;
    }
    sorted.add(-at - 1, value);
  }

  /** The summary as of now; {@code version} and {@code assembledAt} are the emission's. */
  public static TraceSummary summarize(TraceState state, long version, Instant assembledAt) {
    Map<String, RankedValue> dims = state.getDimensions();
    RootRef root = state.getRoot();
    boolean incomplete = root == null;
    TraceOutcome outcome;
    if (incomplete) {
      outcome = TraceOutcome.INCOMPLETE;
    } else if (SpanStatus.ERROR.name().equals(root.getStatus())) {
      outcome = TraceOutcome.FAILED;
    } else if (state.getErrors() > 0 || state.getPolicyCheckFailures() > 0 || state.getFailedEvaluations() > 0) {
      outcome = TraceOutcome.RESCUED;
    } else {
      outcome = TraceOutcome.SUCCESS;
    }
    TraceStatus status = state.getErrors() > 0 ? TraceStatus.ERROR
        : root != null && SpanStatus.OK.name().equals(root.getStatus()) ? TraceStatus.OK : TraceStatus.UNSET;
    Map<String, Integer> kinds = state.getKindCounts();
    Map<String, EvaluationOutcome> evaluations = new TreeMap<>();
    state.getEvaluations().forEach((name, agg) -> evaluations.put(name, new EvaluationOutcome(agg.getPassed(), agg.getFailed(),
        agg.getMinScore())));
    ErrorRef firstError = state.getFirstError();
    SlowRef slowest = state.getSlowest();
    CriticalPath.Result critical = root == null || state.getTruncated() ? null : CriticalPath.compute(state.getSpans(), root.getSpanId());
    return TraceSummary.newBuilder()
        .setTraceId(state.getTraceId())
        .setTenantId(value(dims, "tenant_id", ""))
        .setEnvironment(value(dims, "environment", null))
        .setServiceName(value(dims, "service_name", null))
        .setFeatureName(value(dims, "feature_name", null))
        .setAppVersion(value(dims, "app_version", null))
        .setRequestId(value(dims, "request_id", null))
        .setSessionId(value(dims, "session_id", null))
        .setUserId(value(dims, "user_id", null))
        .setRootSpanName(root == null ? null : root.getName())
        .setRootSpanKind(root == null ? null : root.getKind())
        .setStartTime(instant(state.getStart()))
        .setEndTime(instant(state.getEnd()))
        .setDurationMicros(state.getEnd() - state.getStart())
        .setSpanCount(state.getSpanCount())
        .setSpanCountsByKind(new TreeMap<>(kinds))
        .setLlmCalls(kinds.getOrDefault(SpanKind.LLM.name(), 0))
        .setToolCalls(kinds.getOrDefault(SpanKind.TOOL.name(), 0))
        .setRetrievalCalls(kinds.getOrDefault(SpanKind.RETRIEVAL.name(), 0) + kinds.getOrDefault(SpanKind.RERANK.name(), 0))
        .setRetries(state.getRetries())
        .setFallbacks(state.getFallbacks())
        .setTimeouts(state.getTimeouts())
        .setRateLimited(state.getRateLimited())
        .setErrorCount(state.getErrors())
        .setPolicyCheckFailures(state.getPolicyCheckFailures())
        .setFailedEvaluations(state.getFailedEvaluations())
        .setStatus(status)
        .setFirstError(firstError == null ? null : new TraceError(firstError.getSpanId(), firstError.getName(),
            firstError.getErrorType(), firstError.getErrorMessage()))
        .setOutcome(outcome)
        .setInputTokens(state.getInputTokens())
        .setOutputTokens(state.getOutputTokens())
        .setCacheReadTokens(state.getCacheReadTokens())
        .setCacheWriteTokens(state.getCacheWriteTokens())
        .setReasoningTokens(state.getReasoningTokens())
        .setTotalTokens(state.getTotalTokens())
        .setTotalCost(state.getPricedSpans() == 0 ? null : state.getCostPico() / PICO)
        .setUnknownCostSpans(state.getUnknownCostSpans())
        .setPromptNames(new ArrayList<>(state.getPromptNames()))
        .setPromptVersionsUsed(new ArrayList<>(state.getPromptVersions()))
        .setModelsUsed(new ArrayList<>(state.getModels()))
        .setSlowestSpan(slowest == null ? null : new SlowestSpan(slowest.getSpanId(), slowest.getName(), slowest.getKind(),
            slowest.getDuration()))
        .setCriticalPathMicros(critical == null ? null : critical.micros())
        .setCriticalPath(critical == null ? new ArrayList<>() : critical.steps())
        .setEvaluations(evaluations)
        .setPositiveFeedback(state.getPositiveFeedback())
        .setNegativeFeedback(state.getNegativeFeedback())
        .setFeedbackCount(state.getFeedbackCount())
        .setTruncated(state.getTruncated())
        .setIncomplete(incomplete)
        .setVersion(version)
        .setAssembledAt(assembledAt)
        .build();
  }

  private static String value(Map<String, RankedValue> dims, String key, String fallback) {
    RankedValue value = dims.get(key);
    return value == null ? fallback : value.getValue();
  }

  static long micros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  /** A nonsense cost (1e300) saturates the sum instead of failing the application. */
  private static long saturatingAdd(long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }


  /** Steps of the critical path with their time, most first, as the summary lists them. */
  static List<CriticalStep> steps(Map<String, Long> byName, int max) {
    List<CriticalStep> steps = new ArrayList<>();
    byName.forEach((name, micros) -> steps.add(new CriticalStep(name, micros)));
    steps.sort((a, b) -> a.getMicros() != b.getMicros() ? Long.compare(b.getMicros(), a.getMicros()) : a.getName().compareTo(b.getName()));
    return new ArrayList<>(steps.subList(0, Math.min(max, steps.size())));
  }
}

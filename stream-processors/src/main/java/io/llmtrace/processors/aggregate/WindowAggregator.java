package io.llmtrace.processors.aggregate;

import io.llmtrace.processors.aggregate.state.Candidate;
import io.llmtrace.processors.aggregate.state.EvalCounts;
import io.llmtrace.processors.aggregate.state.WindowState;
import io.llmtrace.processors.enrich.FeedbackPolarity;
import io.llmtrace.processors.enrich.SpanUsage;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.EvaluationStats;
import io.llmtrace.schemas.avro.Exemplars;
import io.llmtrace.schemas.avro.Feedback;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.OutputValidation;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.avro.ToolExecutionStatus;
import io.llmtrace.schemas.avro.TraceOutcome;
import io.llmtrace.schemas.avro.TraceSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds spans, evaluations and trace summaries into one group's {@link WindowState} and reads the
 * {@link MetricWindow} from it. Kafka-free. Exemplars keep the {@value #EXEMPLARS} worst distinct traces
 * per offence (errors by latency, failed evaluations by lowest score, slowest, most expensive).
 */
public final class WindowAggregator {

  static final int EXEMPLARS = 5;

  private WindowAggregator() {}

  public static WindowState empty(long windowStartMs, String level, String groupId, Map<String, String> dims, boolean overflow) {
    return WindowState.newBuilder().setWindowStartMs(windowStartMs).setLevel(level).setGroupId(groupId)
        .setDimensions(new TreeMap<>(dims)).setOverflow(overflow).setLatency(Sketches.empty()).setCost(Sketches.empty())
        .setSuccessCost(Sketches.empty()).setEvaluations(new HashMap<>()).setPolicyFailures(new HashMap<>())
        .setExemplarErrors(new ArrayList<>()).setExemplarFailedEvaluations(new ArrayList<>()).setExemplarSlowest(new ArrayList<>())
        .setExemplarExpensive(new ArrayList<>()).build();
  }

  /**
   * One span; its own evaluations count here unless {@code evaluationsElsewhere} (an evaluation span whose
   * results count with the span it judged).
   */
  public static void addSpan(WindowState state, LlmSpan span, boolean evaluationsElsewhere) {
    double latencyMs = Math.max(0, Duration.between(span.getStartTime(), span.getEndTime()).toNanos() / 1e6);
    String traceId = span.getTraceId();
    state.setCount(state.getCount() + 1);
    latency(state, latencyMs);
    offer(state.getExemplarSlowest(), traceId, latencyMs);
    boolean error = span.getStatus() == SpanStatus.ERROR;
    if (error) {
      state.setErrors(state.getErrors() + 1);
      offer(state.getExemplarErrors(), traceId, latencyMs);
    }
    if (span.getTimedOut()) {
      state.setTimeouts(state.getTimeouts() + 1);
    }
    if (span.getRetryOfSpanId() != null || span.getAttempt() != null && span.getAttempt() > 1) {
      state.setRetries(state.getRetries() + 1);
    }
    if (span.getFallback()) {
      state.setFallbacks(state.getFallbacks() + 1);
    }
    if (span.getRateLimited()) {
      state.setRateLimited(state.getRateLimited() + 1);
    }
    SpanUsage usage = SpanUsage.of(span);
    state.setInputTokens(state.getInputTokens() + usage.input());
    state.setOutputTokens(state.getOutputTokens() + usage.output());
    state.setCacheReadTokens(state.getCacheReadTokens() + usage.cacheRead());
    state.setCacheWriteTokens(state.getCacheWriteTokens() + usage.cacheWrite());
    if (usage.cost() != null) {
      state.setCostSum(state.getCostSum() + usage.cost());
      state.setPriced(state.getPriced() + 1);
      Sketches.add(state.getCost(), usage.cost(), 1);
      offer(state.getExemplarExpensive(), traceId, usage.cost());
    } else if (usage.unknownCost()) {
      state.setUnknownCost(state.getUnknownCost() + 1);
    }
    if (span.getToolExecution() != null && (span.getToolExecution().getStatus() == ToolExecutionStatus.ERROR
        || span.getToolExecution().getStatus() == ToolExecutionStatus.TIMEOUT)) {
      state.setToolCallFailures(state.getToolCallFailures() + 1);
    }
    OutputValidation validation = span.getOutputValidation();
    if (validation != null) {
      if (validation.getJsonParseFailed()) {
        state.setJsonParseFailures(state.getJsonParseFailures() + 1);
      }
      if (validation.getSchemaValidationFailed()) {
        state.setSchemaValidationFailures(state.getSchemaValidationFailures() + 1);
      }
      state.setToolArgumentFailures(state.getToolArgumentFailures() + validation.getToolArgumentFailures());
    }
    Double citation = span.getCitationCoverage();
    if (citation != null && Double.isFinite(citation)) {
      state.setCitationSum(state.getCitationSum() + citation);
      state.setCitationCount(state.getCitationCount() + 1);
    }
    boolean check = span.getKind() == SpanKind.POLICY_CHECK || span.getKind() == SpanKind.GUARDRAIL;
    if (!evaluationsElsewhere) {
      boolean failedEvaluation = false;
      for (Evaluation evaluation : span.getEvaluations()) {
        failedEvaluation |= addEvaluation(state, traceId, evaluation);
      }
      if (check && (error || failedEvaluation)) {
        state.getPolicyFailures().merge(severity(span), 1L, Long::sum);
      }
    } else if (check && error) {
      state.getPolicyFailures().merge(severity(span), 1L, Long::sum);
    }
    addFeedback(state, span.getFeedback());
  }

  /** An evaluation counted in this window and group; true when it failed. */
  public static boolean addEvaluation(WindowState state, String traceId, Evaluation evaluation) {
    EvalCounts counts = state.getEvaluations().computeIfAbsent(evaluation.getEvaluatorName(), k -> new EvalCounts(0L, 0L, 0.0, 0L));
    boolean failed = Boolean.FALSE.equals(evaluation.getPassed());
    if (Boolean.TRUE.equals(evaluation.getPassed())) {
      counts.setPassed(counts.getPassed() + 1);
    } else if (failed) {
      counts.setFailed(counts.getFailed() + 1);
    }
    Double score = evaluation.getScore();
    if (score != null && Double.isFinite(score)) {
      counts.setScoreSum(counts.getScoreSum() + score);
      counts.setScoreCount(counts.getScoreCount() + 1);
    }
    if (failed) {
      offer(state.getExemplarFailedEvaluations(), traceId, score == null ? 0 : -score);
    }
    return failed;
  }

  public static void addFeedback(WindowState state, List<Feedback> feedback) {
    for (Feedback entry : feedback) {
      switch (FeedbackPolarity.of(entry)) {
        case POSITIVE -> state.setPositiveFeedback(state.getPositiveFeedback() + 1);
        case NEGATIVE -> state.setNegativeFeedback(state.getNegativeFeedback() + 1);
        case NEUTRAL -> { }
      }
    }
  }

  /** One trace summary's contribution; {@code sign} -1 takes an earlier version's back out. */
  public static void addTrace(WindowState state, TraceSummary trace, int sign) {
    double durationMs = trace.getDurationMicros() / 1000.0;
    state.setCount(state.getCount() + sign);
    state.setTasks(state.getTasks() + sign);
    Sketches.add(state.getLatency(), durationMs, sign);
    state.setLatencySum(state.getLatencySum() + sign * durationMs);
    switch (trace.getOutcome()) {
      case SUCCESS -> state.setSuccessful(state.getSuccessful() + sign);
      case FAILED -> state.setFailed(state.getFailed() + sign);
      case RESCUED -> state.setRescued(state.getRescued() + sign);
      case INCOMPLETE -> state.setIncomplete(state.getIncomplete() + sign);
    }
    if (trace.getErrorCount() > 0) {
      state.setErrors(state.getErrors() + sign);
    }
    state.setInputTokens(state.getInputTokens() + sign * trace.getInputTokens());
    state.setOutputTokens(state.getOutputTokens() + sign * trace.getOutputTokens());
    Double cost = trace.getTotalCost();
    if (cost != null && Double.isFinite(cost)) {
      state.setCostSum(state.getCostSum() + sign * cost);
      state.setPriced(state.getPriced() + sign);
      Sketches.add(state.getCost(), cost, sign);
      boolean success = trace.getOutcome() == TraceOutcome.SUCCESS || trace.getOutcome() == TraceOutcome.RESCUED;
      if (success) {
        state.setSuccessCostSum(state.getSuccessCostSum() + sign * cost);
        Sketches.add(state.getSuccessCost(), cost, sign);
      }
      if (sign > 0) {
        offer(state.getExemplarExpensive(), trace.getTraceId(), cost);
      }
    }
    if (trace.getUnknownCostSpans() > 0) {
      state.setUnknownCost(state.getUnknownCost() + sign);
    }
    if (sign > 0) {
      offer(state.getExemplarSlowest(), trace.getTraceId(), durationMs);
      if (trace.getOutcome() == TraceOutcome.FAILED || trace.getErrorCount() > 0) {
        offer(state.getExemplarErrors(), trace.getTraceId(), durationMs);
      }
    }
  }

  private static void latency(WindowState state, double ms) {
    Sketches.add(state.getLatency(), ms, 1);
    state.setLatencySum(state.getLatencySum() + ms);
    state.setLatencyMin(state.getLatencyMin() == null ? ms : Math.min(state.getLatencyMin(), ms));
    state.setLatencyMax(state.getLatencyMax() == null ? ms : Math.max(state.getLatencyMax(), ms));
  }

  /** Keeps the {@value #EXEMPLARS} worst distinct traces, worst first (ties: lower trace id). */
  static void offer(List<Candidate> candidates, String traceId, double badness) {
    for (int i = 0; i < candidates.size(); i++) {
      if (candidates.get(i).getTraceId().equals(traceId)) {
        if (candidates.get(i).getBadness() >= badness) {
          return;
        }
        candidates.remove(i);
        break;
      }
    }
    int at = 0;
    while (at < candidates.size() && worse(candidates.get(at), badness, traceId)) {
      at++;
    }
    if (at < EXEMPLARS) {
      candidates.add(at, new Candidate(traceId, badness));
      if (candidates.size() > EXEMPLARS) {
        candidates.remove(candidates.size() - 1);
      }
    }
  }

  private static boolean worse(Candidate existing, double badness, String traceId) {
    return existing.getBadness() > badness || existing.getBadness() == badness && existing.getTraceId().compareTo(traceId) < 0;
  }

  private static String severity(LlmSpan span) {
    String severity = span.getPolicySeverity();
    return severity == null || severity.isBlank() ? "unknown" : severity.strip().toLowerCase(Locale.ROOT);
  }

  /** The window as published; {@code windowSize} gives its end. */
  public static MetricWindow toRecord(WindowState state, Duration windowSize) {
    Instant start = Instant.ofEpochMilli(state.getWindowStartMs());
    Map<String, EvaluationStats> evaluations = new TreeMap<>();
    state.getEvaluations().forEach((name, c) -> evaluations.put(name, new EvaluationStats(c.getPassed(), c.getFailed(), c.getScoreSum(),
        c.getScoreCount())));
    Exemplars exemplars = new Exemplars(ids(state.getExemplarErrors()), ids(state.getExemplarFailedEvaluations()),
        ids(state.getExemplarSlowest()), ids(state.getExemplarExpensive()));
    boolean anyExemplar = !exemplars.getErrors().isEmpty() || !exemplars.getFailedEvaluations().isEmpty()
        || !exemplars.getSlowest().isEmpty() || !exemplars.getMostExpensive().isEmpty();
    var latency = Sketches.toSketch(state.getLatency());
    boolean hasLatency = !latency.isEmpty();
    return MetricWindow.newBuilder()
        .setWindowStart(start)
        .setWindowEnd(start.plus(windowSize))
        .setMetricName(state.getLevel())
        .setDimensions(new TreeMap<>(state.getDimensions()))
        .setGroupId(state.getGroupId())
        .setOverflow(state.getOverflow())
        .setCount(state.getCount())
        .setSum(state.getLatencySum())
        .setMin(state.getLatencyMin() != null ? state.getLatencyMin() : hasLatency ? latency.getMinValue() : null)
        .setMax(state.getLatencyMax() != null ? state.getLatencyMax() : hasLatency ? latency.getMaxValue() : null)
        .setP50(hasLatency ? latency.getValueAtQuantile(0.50) : null)
        .setP90(hasLatency ? latency.getValueAtQuantile(0.90) : null)
        .setP95(hasLatency ? latency.getValueAtQuantile(0.95) : null)
        .setP99(hasLatency ? latency.getValueAtQuantile(0.99) : null)
        .setLatencySketch(Sketches.toRecord(state.getLatency()))
        .setErrorCount(state.getErrors())
        .setTimeouts(state.getTimeouts())
        .setRetries(state.getRetries())
        .setFallbacks(state.getFallbacks())
        .setRateLimited(state.getRateLimited())
        .setInputTokens(state.getInputTokens())
        .setOutputTokens(state.getOutputTokens())
        .setCacheReadTokens(state.getCacheReadTokens())
        .setCacheWriteTokens(state.getCacheWriteTokens())
        .setCostSum(state.getCostSum())
        .setPricedCount(state.getPriced())
        .setUnknownCostCount(state.getUnknownCost())
        .setCostSketch(Sketches.toRecord(state.getCost()))
        .setEvaluations(evaluations)
        .setPositiveFeedback(state.getPositiveFeedback())
        .setNegativeFeedback(state.getNegativeFeedback())
        .setJsonParseFailures(state.getJsonParseFailures())
        .setSchemaValidationFailures(state.getSchemaValidationFailures())
        .setToolCallFailures(state.getToolCallFailures())
        .setToolArgumentFailures(state.getToolArgumentFailures())
        .setCitationCoverageSum(state.getCitationSum())
        .setCitationCoverageCount(state.getCitationCount())
        .setPolicyFailuresBySeverity(new TreeMap<>(state.getPolicyFailures()))
        .setExemplars(anyExemplar ? exemplars : null)
        .setTasks(state.getTasks())
        .setSuccessful(state.getSuccessful())
        .setFailed(state.getFailed())
        .setRescued(state.getRescued())
        .setIncomplete(state.getIncomplete())
        .setCostPerSuccessSketch(Sketches.toRecord(state.getSuccessCost()))
        .setCostSuccessSum(state.getSuccessCostSum())
        .build();
  }

  private static List<String> ids(List<Candidate> candidates) {
    List<String> ids = new ArrayList<>(candidates.size());
    candidates.forEach(c -> ids.add(c.getTraceId()));
    return ids;
  }

}

-- Question: is the new prompt version better? The prompt history view "v32 ... v35" from the one-minute
-- metric windows (metrics_1m) instead of the spans: per version of a prompt, volume, error rate, p50/p95
-- latency, cost per call, eval pass rate and negative feedback rate, first and last minute of use.
-- Parameters: tenant String, prompt_name String, since DateTime64(6), until DateTime64(6) (window starts
-- in [since, until)).
-- Span-level windows (level 'llm.spans') of the prompt, whatever their feature, model or attributes, summed
-- per version. FINAL: a window the stream app emitted twice counts once (see V007__metrics.sql).
-- Percentiles come from the merged DDSketch bins (within 1% of the exact value, see
-- llmtrace_sketch_quantile); cost per call averages the priced calls (priced_calls says how many);
-- eval pass rate = passed / (passed + failed) over every evaluator; negative feedback per call.
-- The same query runs on metrics_1h or metrics_1d for long ranges (whole hours or days).
SELECT
    prompt_version,
    sum(observations) AS calls,
    round(sum(error_count) / nullIf(calls, 0), 4) AS error_rate,
    round(llmtrace_sketch_quantile(0.5, sumMap(latency_bins), sum(latency_zero_count)), 1) AS p50_ms,
    round(llmtrace_sketch_quantile(0.95, sumMap(latency_bins), sum(latency_zero_count)), 1) AS p95_ms,
    round(sum(cost_sum) / nullIf(sum(priced_count), 0), 6) AS cost_per_call,
    sum(priced_count) AS priced_calls,
    arraySum(mapValues(sumMap(eval_passed))) AS evals_passed,
    arraySum(mapValues(sumMap(eval_failed))) AS evals_failed,
    round(evals_passed / nullIf(evals_passed + evals_failed, 0), 4) AS eval_pass_rate,
    round(sum(negative_feedback) / nullIf(calls, 0), 4) AS negative_feedback_rate,
    min(window_start) AS first_seen,
    max(window_start) AS last_seen
FROM metrics_1m FINAL
WHERE tenant_id = {tenant:String}
  AND level = 'llm.spans'
  AND window_start >= {since:DateTime64(6)}
  AND window_start < {until:DateTime64(6)}
  AND prompt_name = {prompt_name:String}
GROUP BY prompt_version
ORDER BY first_seen, prompt_version;

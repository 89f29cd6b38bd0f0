-- Question: is the new prompt version better? One row per version of a prompt, like the prompt history
-- view "v32 ... v35": volume, error rate, p50/p95 latency, cost per call, eval pass rate and negative
-- feedback rate, first and last use.
-- Parameters: tenant String, prompt_name String, since DateTime64(6).
-- Eval pass rate counts evaluations with a verdict; negative feedback = thumbs down or a rating <= 2.
-- Cost per call averages the priced calls only (cost_amount NULL = unknown, not free); priced_calls
-- says how many that was, so a version whose calls were mostly unpriced is not read as cheap.
SELECT
    prompt_version,
    count() AS calls,
    round(countIf(status = 'ERROR') / count(), 4) AS error_rate,
    round(quantile(0.5)(duration_ms), 1) AS p50_ms,
    round(quantile(0.95)(duration_ms), 1) AS p95_ms,
    round(sum(cost_amount) / nullIf(count(cost_amount), 0), 6) AS cost_per_call,
    count(cost_amount) AS priced_calls,
    round(sum(arrayCount(e -> e.passed = true, evaluations))
          / nullIf(sum(arrayCount(e -> e.passed IS NOT NULL, evaluations)), 0), 4) AS eval_pass_rate,
    round(countIf(arrayExists(f -> (f.kind = 'thumbs' AND f.value = 'down')
                                 OR (f.kind = 'rating' AND toInt32OrZero(ifNull(f.value, '')) BETWEEN 1 AND 2), feedback))
          / count(), 4) AS negative_feedback_rate,
    min(start_time) AS first_seen,
    max(start_time) AS last_seen
FROM spans
WHERE tenant_id = {tenant:String}
  AND prompt_name = {prompt_name:String}
  AND start_time >= {since:DateTime64(6)}
GROUP BY prompt_version
ORDER BY first_seen;

-- Question: how slow is each model, per kind of step? p50/p95/p99 latency by model and span kind.
-- Parameters: tenant String, since DateTime64(6).
SELECT
    ifNull(model_name, '(none)') AS model,
    kind,
    count() AS spans,
    round(quantile(0.5)(duration_ms), 1) AS p50_ms,
    round(quantile(0.95)(duration_ms), 1) AS p95_ms,
    round(quantile(0.99)(duration_ms), 1) AS p99_ms
FROM spans
WHERE tenant_id = {tenant:String}
  AND start_time >= {since:DateTime64(6)}
GROUP BY model, kind
ORDER BY model, kind;

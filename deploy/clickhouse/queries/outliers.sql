-- Question: which requests should someone look at first? The slowest, most expensive, most retried and
-- lowest-scored requests (traces), top N of each, with their trace ids.
-- Parameters: tenant String, since DateTime64(6), top UInt32.
WITH traces AS
(
    SELECT
        trace_id,
        dateDiff('millisecond', min(start_time), max(end_time)) AS duration_ms,
        sum(ifNull(cost_amount, 0)) AS cost,
        countIf(retry_of_span_id IS NOT NULL OR ifNull(attempt, 1) > 1) AS retries,
        arrayMin(arrayFilter(x -> isNotNull(x), arrayFlatten(groupArray(arrayMap(e -> e.score, evaluations))))) AS lowest_eval_score,
        countIf(arrayExists(e -> e.score IS NOT NULL, evaluations)) > 0 AS has_eval
    FROM spans
    WHERE tenant_id = {tenant:String}
      AND start_time >= {since:DateTime64(6)}
    GROUP BY trace_id
)
SELECT * FROM
(
    SELECT 'slowest' AS category, trace_id, toFloat64(duration_ms) AS value FROM traces ORDER BY duration_ms DESC, trace_id LIMIT {top:UInt32}
    UNION ALL
    SELECT 'most_expensive', trace_id, cost FROM traces ORDER BY cost DESC, trace_id LIMIT {top:UInt32}
    UNION ALL
    SELECT 'most_retried', trace_id, toFloat64(retries) FROM traces WHERE retries > 0 ORDER BY retries DESC, trace_id LIMIT {top:UInt32}
    UNION ALL
    SELECT 'lowest_eval_score', trace_id, lowest_eval_score FROM traces WHERE has_eval ORDER BY lowest_eval_score ASC, trace_id LIMIT {top:UInt32}
)
ORDER BY category, value DESC, trace_id;

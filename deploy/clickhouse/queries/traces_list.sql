-- Question: which traces of a tenant started in a time range, for one feature (or every feature), with
-- an outcome among those asked for, costing at least min_cost and lasting at least min_duration_ms?
-- Newest first, each trace once, as its latest version.
-- Parameters: tenant String, feature String ('' = every feature), since DateTime64(6), until
--   DateTime64(6), outcomes Array(String) ([] = any; SUCCESS, FAILED, RESCUED, INCOMPLETE), min_cost
--   Float64 (0 = any, unpriced traces included), min_duration_ms Float64, limit UInt32.
-- How: the inner query keeps each trace's highest version. Its WHERE has only filters that a newer
-- version passes whenever an older one does (end_time only grows, start_time only falls; see
-- V005__traces.sql), so they prune days without ever leaving an old version in place of the newest;
-- every other filter is applied outside, to the newest version.
SELECT
    trace_id,
    start_time,
    duration_micros / 1000.0 AS duration_ms,
    feature_name,
    outcome,
    status,
    root_span_name,
    span_count,
    llm_calls,
    tool_calls,
    retries,
    error_count,
    total_cost,
    unknown_cost_spans,
    first_error_span_name,
    slowest_span_name,
    request_id,
    version
FROM
(
    SELECT *
    FROM traces
    WHERE tenant_id = {tenant:String}
      AND end_time >= {since:DateTime64(6)}
      AND start_time < {until:DateTime64(6)}
    ORDER BY version DESC, kafka_offset DESC
    LIMIT 1 BY trace_id
)
WHERE start_time >= {since:DateTime64(6)}
  AND ({feature:String} = '' OR feature_name = {feature:String})
  AND (empty({outcomes:Array(String)}) OR has({outcomes:Array(String)}, outcome))
  AND ({min_cost:Float64} = 0 OR total_cost >= {min_cost:Float64})
  AND duration_micros >= {min_duration_ms:Float64} * 1000
ORDER BY start_time DESC, trace_id
LIMIT {limit:UInt32};

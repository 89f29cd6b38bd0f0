-- Question: which traces failed a policy or guardrail check and were still rescued by a retry? The
-- latest version says RESCUED (the root succeeded although a span inside failed), counts at least one
-- failed POLICY_CHECK/GUARDRAIL span and at least one retry. Oldest first.
-- Parameters: tenant String, since DateTime64(6), until DateTime64(6).
-- How: latest version per trace as in traces_list.sql; outcome and counts are filtered on it.
SELECT
    trace_id,
    start_time,
    feature_name,
    root_span_name,
    policy_check_failures,
    retries,
    fallbacks,
    failed_evaluations,
    first_error_span_name,
    first_error_type,
    total_cost,
    duration_micros / 1000.0 AS duration_ms,
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
  AND outcome = 'RESCUED'
  AND policy_check_failures > 0
  AND retries > 0
ORDER BY start_time, trace_id;

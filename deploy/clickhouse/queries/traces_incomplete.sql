-- Question: which traces are still incomplete, i.e. their root span never arrived? A trace counts once
-- its latest version still has no root (a late root turns an incomplete trace into a complete one).
-- Oldest first, with what did arrive: spans by kind, services, the first error.
-- Parameters: tenant String, since DateTime64(6), until DateTime64(6).
-- How: latest version per trace as in traces_list.sql.
SELECT
    trace_id,
    start_time,
    end_time,
    feature_name,
    service_name,
    span_count,
    span_counts_by_kind,
    error_count,
    first_error_span_name,
    total_cost,
    truncated,
    version,
    assembled_at
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
  AND incomplete
ORDER BY start_time, trace_id;

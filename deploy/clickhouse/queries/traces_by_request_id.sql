-- Question: which trace served this request? Every trace of the tenant whose latest version carries
-- request_id (a retried request can have several), oldest first, with its summary.
-- Parameters: tenant String, request_id String.
-- How: the bloom filter on request_id finds the traces any version of which named the request; their
-- versions are then read by primary key (tenant_id, trace_id), the highest kept, and only traces whose
-- highest version still names the request are answered (a late root span can replace request_id).
SELECT
    trace_id,
    start_time,
    end_time,
    duration_micros / 1000.0 AS duration_ms,
    feature_name,
    service_name,
    app_version,
    session_id,
    user_id,
    root_span_name,
    outcome,
    status,
    span_count,
    span_counts_by_kind,
    total_tokens,
    total_cost,
    first_error_span_name,
    first_error_type,
    first_error_message,
    slowest_span_name,
    slowest_span_duration_micros,
    critical_path_micros,
    critical_path,
    evaluations,
    models_used,
    prompt_versions_used,
    version,
    assembled_at
FROM
(
    SELECT *
    FROM traces
    WHERE tenant_id = {tenant:String}
      AND trace_id IN
      (
          SELECT trace_id
          FROM traces
          WHERE tenant_id = {tenant:String}
            AND request_id = {request_id:String}
      )
    ORDER BY version DESC, kafka_offset DESC
    LIMIT 1 BY trace_id
)
WHERE request_id = {request_id:String}
ORDER BY start_time, trace_id;

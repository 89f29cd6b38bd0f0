-- Question: which step is the slowest one, per feature of a tenant? For each feature, the span names
-- that were a trace's slowest non-root span most often (top N), with how many traces, their share of
-- the feature's traces that had one, and that span's p50/p95/max duration when it was the slowest.
-- Parameters: tenant String, since DateTime64(6), until DateTime64(6), top UInt32.
-- How: latest version per trace as in traces_list.sql (a late span can become the slowest).
SELECT
    feature,
    step,
    kind,
    traces,
    round(traces / feature_traces, 4) AS share,
    p50_ms,
    p95_ms,
    max_ms
FROM
(
    SELECT
        ifNull(feature_name, '') AS feature,
        assumeNotNull(slowest_span_name) AS step,
        ifNull(slowest_span_kind, '') AS kind,
        count() AS traces,
        sum(count()) OVER (PARTITION BY feature) AS feature_traces,
        quantileExact(0.5)(slowest_span_duration_micros) / 1000.0 AS p50_ms,
        quantileExact(0.95)(slowest_span_duration_micros) / 1000.0 AS p95_ms,
        max(slowest_span_duration_micros) / 1000.0 AS max_ms
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
      AND slowest_span_name IS NOT NULL
    GROUP BY feature, step, kind
)
ORDER BY feature, traces DESC, p95_ms DESC, step
LIMIT {top:UInt32} BY feature;

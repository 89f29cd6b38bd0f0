-- Question: what happened in this trace? Its spans in start order, with the prompt version, model and
-- the (redacted) input and output of each step.
-- Parameters: trace_id String.
-- How: trace_index gives the tenant and the time bounds in one small read, so the spans scan touches
-- only the day partitions (and, through the trace_id bloom filter, the granules) that can hold it.
WITH bounds AS
(
    SELECT tenant_id, min(start_time) AS first_start, max(end_time) AS last_end
    FROM trace_index
    WHERE trace_id = {trace_id:String}
    GROUP BY tenant_id
)
SELECT
    s.start_time,
    s.span_id,
    s.parent_span_id,
    s.kind,
    s.name,
    s.status,
    round(s.duration_ms, 1) AS duration_ms,
    s.prompt_name,
    s.prompt_version,
    s.model_provider,
    s.model_name,
    arrayStringConcat(arrayMap(m -> concat(m.role, ': ', ifNull(m.content, '')), s.prompt_messages), '\n') AS input,
    coalesce(s.output_text, s.output_structured_json, s.tool_result_content) AS output,
    s.error_type,
    s.cost_amount
FROM spans AS s
INNER JOIN bounds AS b ON s.tenant_id = b.tenant_id
WHERE s.trace_id = {trace_id:String}
  AND s.start_time BETWEEN (SELECT min(first_start) FROM bounds) AND (SELECT max(last_end) FROM bounds)
ORDER BY s.start_time, s.span_id;

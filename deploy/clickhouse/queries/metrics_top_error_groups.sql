-- Question: where do the errors come from, and which traces show them? The span-level groups (feature,
-- kind, span name, prompt version, model, configured attributes) with the highest error rate in a range of
-- hours, from metrics_1h, with up to 5 example traces that had a failed span, and the other failure
-- counts next to it.
-- Parameters: tenant String, since DateTime64(6), until DateTime64(6) (hours starting in [since, until)),
-- min_calls UInt64 (groups with fewer calls are left out: 1 error in 2 calls is no signal), top UInt32.
-- overflow = 1 is the group of everything beyond the tenant's per-window group limit.
SELECT
    group_id,
    any(feature_name) AS feature,
    any(kind) AS kind,
    any(span_name) AS span_name,
    any(prompt_name) AS prompt_name,
    any(prompt_version) AS prompt_version,
    any(model_name) AS model,
    any(dimensions) AS dimensions,
    any(overflow) AS overflow,
    sum(observations) AS calls,
    sum(error_count) AS errors,
    round(errors / calls, 4) AS error_rate,
    sum(timeouts) AS timeouts,
    sum(rate_limited) AS rate_limited,
    sum(tool_call_failures) AS tool_call_failures,
    arraySort(groupUniqArrayArray(5)(exemplar_errors)) AS example_trace_ids
FROM metrics_1h
WHERE tenant_id = {tenant:String}
  AND level = 'llm.spans'
  AND window_start >= {since:DateTime64(6)}
  AND window_start < {until:DateTime64(6)}
GROUP BY group_id
HAVING calls >= {min_calls:UInt64} AND errors > 0
ORDER BY error_rate DESC, errors DESC, group_id
LIMIT {top:UInt32};

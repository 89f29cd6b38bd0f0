-- Question: what started failing with this release? Per step (span kind and name) of the spans running
-- the release: its errors, its error rate, the same step's error rate before the release, the most
-- common error types and one trace to open.
-- Parameters: tenant String, release String (an app_version).
WITH
    (SELECT min(start_time) FROM spans WHERE tenant_id = {tenant:String} AND app_version = {release:String}) AS released_at
SELECT
    kind,
    name,
    countIf(app_version = {release:String}) AS spans_since,
    countIf(app_version = {release:String} AND status = 'ERROR') AS errors_since,
    round(errors_since / nullIf(spans_since, 0), 4) AS error_rate_since,
    round(countIf(start_time < released_at AND status = 'ERROR') / nullIf(countIf(start_time < released_at), 0), 4)
        AS error_rate_before,
    topKIf(3)(ifNull(error_type, '(none)'), app_version = {release:String} AND status = 'ERROR') AS top_error_types,
    anyIf(trace_id, app_version = {release:String} AND status = 'ERROR') AS example_trace_id
FROM spans
WHERE tenant_id = {tenant:String}
  AND start_time >= released_at - INTERVAL 7 DAY
GROUP BY kind, name
HAVING errors_since > 0
ORDER BY errors_since DESC, kind, name;

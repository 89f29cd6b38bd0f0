-- Question: what does a completed task cost, per tenant and feature? A task is a trace; it completed
-- when its root span (no parent) did not end in ERROR. The cost of failed tasks is included in the
-- numerator: failures are part of what completing tasks costs. Spans whose cost is unknown (cost_amount
-- NULL: tokens used, no price) add nothing to the sums; unpriced_spans counts them, so a total with
-- unpriced spans reads as the lower bound it is.
-- Parameters: since DateTime64(6).
SELECT
    tenant_id,
    feature,
    count() AS tasks,
    countIf(completed) AS completed_tasks,
    round(sum(task_cost), 6) AS total_cost,
    round(sum(task_cost) / nullIf(countIf(completed), 0), 6) AS cost_per_completed_task,
    sum(unpriced) AS unpriced_spans
FROM
(
    SELECT
        tenant_id,
        trace_id,
        anyIf(ifNull(feature_name, ''), parent_span_id IS NULL) AS feature,
        countIf(parent_span_id IS NULL AND status != 'ERROR') > 0 AS completed,
        sum(ifNull(cost_amount, 0)) AS task_cost,
        countIf(cost_source IS NOT NULL AND cost_amount IS NULL) AS unpriced
    FROM spans
    WHERE start_time >= {since:DateTime64(6)}
    GROUP BY tenant_id, trace_id
)
GROUP BY tenant_id, feature
ORDER BY tenant_id, feature;

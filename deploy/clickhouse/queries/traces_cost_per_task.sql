-- Question: what does a completed task cost, and what does a successful one cost, per feature of a
-- tenant? A task is a trace, read as its latest version. Completed: the root span succeeded (outcome
-- SUCCESS or RESCUED); successful: nothing failed on the way (SUCCESS). The cost of every task started
-- in the range is the numerator, failed and incomplete ones included: they are part of what the
-- completed ones cost. A trace nobody could price (total_cost NULL) is a task that adds no cost;
-- unpriced_tasks says how many there were, i.e. how far the figures are a lower bound.
-- Parameters: tenant String, since DateTime64(6), until DateTime64(6).
-- How: latest version per trace as in traces_list.sql.
SELECT
    ifNull(feature_name, '') AS feature,
    count() AS tasks,
    countIf(outcome IN ('SUCCESS', 'RESCUED')) AS completed_tasks,
    countIf(outcome = 'SUCCESS') AS successful_tasks,
    countIf(outcome = 'INCOMPLETE') AS incomplete_tasks,
    countIf(total_cost IS NULL) AS unpriced_tasks,
    round(sum(total_cost), 6) AS cost,
    round(sum(total_cost) / nullIf(completed_tasks, 0), 6) AS cost_per_completed_task,
    round(sum(total_cost) / nullIf(successful_tasks, 0), 6) AS cost_per_successful_task
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
GROUP BY feature
ORDER BY feature;

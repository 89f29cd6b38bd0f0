-- Question: is the new release better than the last one? Per release (app_version) of a feature, from the
-- trace-level windows (level 'llm.traces') of the hourly rollup: tasks and their outcomes, p50/p95/p99
-- task duration, cost per task and per successful task, eval pass rate, negative feedback per task.
-- Parameters: tenant String, feature String ('' = every feature), since DateTime64(6), until DateTime64(6)
-- (hours starting in [since, until)).
-- Outcomes as in traces_cost_per_task.sql: successful = SUCCESS, completed = SUCCESS or RESCUED. Cost per task
-- averages the priced tasks; cost per successful task is every task's cost over the successful tasks (the
-- failed ones are part of what a success costs). Durations from the merged DDSketch bins (within 1%).
SELECT
    app_version AS release,
    sum(tasks) AS tasks,
    sum(successful) AS successful_tasks,
    sum(rescued) AS rescued_tasks,
    sum(failed) AS failed_tasks,
    sum(incomplete) AS incomplete_tasks,
    round(successful_tasks / nullIf(tasks, 0), 4) AS success_rate,
    round((successful_tasks + rescued_tasks) / nullIf(tasks, 0), 4) AS completion_rate,
    round(failed_tasks / nullIf(tasks, 0), 4) AS failure_rate,
    round(llmtrace_sketch_quantile(0.5, sumMap(latency_bins), sum(latency_zero_count)), 1) AS p50_ms,
    round(llmtrace_sketch_quantile(0.95, sumMap(latency_bins), sum(latency_zero_count)), 1) AS p95_ms,
    round(llmtrace_sketch_quantile(0.99, sumMap(latency_bins), sum(latency_zero_count)), 1) AS p99_ms,
    round(sum(cost_sum) / nullIf(sum(priced_count), 0), 6) AS cost_per_task,
    round(sum(cost_sum) / nullIf(successful_tasks, 0), 6) AS cost_per_successful_task,
    arraySum(mapValues(sumMap(eval_passed))) AS evals_passed,
    round(evals_passed / nullIf(evals_passed + arraySum(mapValues(sumMap(eval_failed))), 0), 4) AS eval_pass_rate,
    round(sum(negative_feedback) / nullIf(tasks, 0), 4) AS negative_feedback_rate,
    min(window_start) AS first_seen,
    max(window_start) AS last_seen
FROM metrics_1h
WHERE tenant_id = {tenant:String}
  AND level = 'llm.traces'
  AND window_start >= {since:DateTime64(6)}
  AND window_start < {until:DateTime64(6)}
  AND {feature:String} IN ('', feature_name)
GROUP BY release
ORDER BY first_seen, release;

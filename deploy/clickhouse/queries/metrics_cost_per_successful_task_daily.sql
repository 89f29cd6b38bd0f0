-- Question: did the cost per successful task go up day over day (the seed's "average cost per task
-- increases by 30% day over day")? Per feature and UTC day, from the daily rollup of the trace-level windows
-- (metrics_1d, level 'llm.traces'): tasks, successful tasks, cost, cost per successful task, its change from
-- the previous calendar day (NULL when that day had no successful task), and the median cost of one completed
-- (SUCCESS or RESCUED) task from the merged DDSketch.
-- Parameters: tenant String, feature String ('' = every feature), since Date, until Date (days in
-- [since, until)).
-- Cost per successful task as in traces_cost_per_task.sql: every task's known cost over the SUCCESS tasks.
SELECT
    day,
    feature,
    tasks,
    successful_tasks,
    cost,
    cost_per_successful_task,
    if(previous_day = day - 1, round(cost_per_successful_task / previous_cost_per_successful_task - 1, 4), NULL)
        AS change_from_previous_day,
    median_cost_per_completed_task
FROM
(
    SELECT
        toDate(window_start) AS day,
        feature_name AS feature,
        sum(tasks) AS tasks,
        sum(successful) AS successful_tasks,
        round(sum(cost_sum), 6) AS cost,
        round(sum(cost_sum) / nullIf(successful_tasks, 0), 6) AS cost_per_successful_task,
        round(llmtrace_sketch_quantile(0.5, sumMap(cost_per_success_bins), sum(cost_per_success_zero_count)), 6)
            AS median_cost_per_completed_task,
        lagInFrame(toNullable(day)) OVER (PARTITION BY feature ORDER BY day ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
            AS previous_day,
        lagInFrame(cost_per_successful_task) OVER (PARTITION BY feature ORDER BY day ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
            AS previous_cost_per_successful_task
    FROM metrics_1d
    WHERE tenant_id = {tenant:String}
      AND level = 'llm.traces'
      AND window_start >= {since:Date}
      AND window_start < {until:Date}
      AND {feature:String} IN ('', feature_name)
    GROUP BY day, feature
)
ORDER BY feature, day;

-- Question: which alert episodes are firing right now? Every episode with a FIRING and no RESOLVED yet:
-- its rule, severity, owner and group, the value observed against the threshold (and baseline) as of its
-- latest event, since when it fires, how many reminders went out, example traces and the runbook.
-- Most urgent first (PAGE, CRITICAL, NOTIFY, WARNING, REVIEW, INFO), then the longest firing.
-- Parameters: tenant String ('' = every tenant the reader may see, including rules over all tenants),
--   owner String ('' = every owner).
-- How: alert_episodes (V008__alerts.sql) folds an episode's events into one row, so an episode reminded
-- twice is one row, and an event delivered twice counts once.
SELECT
    alert_id,
    rule_id,
    rule_name,
    rule_kind,
    severity,
    owner,
    tenant_id,
    group_dimensions,
    metric_name,
    measured_value,
    comparator,
    threshold,
    baseline_value,
    baseline,
    evaluation_window,
    volume,
    firing_at AS since,
    started_at AS condition_since,
    round(dateDiff('microsecond', firing_at, now64(6)) / 60e6, 1) AS firing_minutes,
    notifications AS reminders,
    last_event_at,
    example_trace_ids,
    summary,
    runbook_url,
    action
FROM alert_episodes
WHERE NOT resolved
  AND ({tenant:String} = '' OR tenant_id = {tenant:String})
  AND ({owner:String} = '' OR owner = {owner:String})
ORDER BY indexOf(['PAGE', 'CRITICAL', 'NOTIFY', 'WARNING', 'REVIEW', 'INFO'], severity), since, alert_id;

-- Question: which rules fire most, and who owns them? Per rule and owner, the episodes that started
-- (fired) in a time range: how many, how many are resolved and still open, how many reminders went out,
-- how many distinct groups they were about, and the median minutes from FIRING to RESOLVED.
-- Parameters: tenant String ('' = every tenant the reader may see), since DateTime64(6), until
--   DateTime64(6) (episodes whose FIRING was emitted in [since, until); their later events count wherever
--   they fall, so an episode that resolved after until is resolved).
-- How: alert_episodes (V008__alerts.sql), one row per episode; a rule without an owner shows '(none)'.
SELECT
    rule_id,
    any(rule_name) AS rule_name,
    ifNull(owner, '(none)') AS owner,
    any(severity) AS severity,
    count() AS episodes,
    countIf(resolved) AS resolved_episodes,
    countIf(NOT resolved) AS open_episodes,
    sum(notifications) AS reminders,
    uniqExact(group_dimensions) AS groups,
    round(quantileExactInclusiveIf(0.5)(minutes_to_resolve, resolved), 2) AS median_minutes_to_resolve,
    min(firing_at) AS first_fired_at,
    max(firing_at) AS last_fired_at
FROM alert_episodes
WHERE ({tenant:String} = '' OR tenant_id = {tenant:String})
  AND firing_at >= {since:DateTime64(6)}
  AND firing_at < {until:DateTime64(6)}
GROUP BY rule_id, owner
ORDER BY episodes DESC, rule_id, owner;

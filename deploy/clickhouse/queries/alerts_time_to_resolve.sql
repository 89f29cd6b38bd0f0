-- Question: how long do a rule's episodes take to resolve? Per rule, the episodes that started (fired) in a
-- time range: how many, how many resolved, and the p50, p90 and longest time in minutes from the FIRING event
-- to the RESOLVED event (emission times: what the receiver lived through), over the resolved ones.
-- Parameters: tenant String ('' = every tenant the reader may see), since DateTime64(6), until DateTime64(6)
--   (episodes whose FIRING was emitted in [since, until); a RESOLVED after until still counts).
-- How: alert_episodes (V008__alerts.sql); percentiles interpolate between the observed durations
-- (quantileExactInclusive, like a spreadsheet's PERCENTILE.INC); NULL when no episode resolved.
SELECT
    rule_id,
    any(rule_name) AS rule_name,
    count() AS episodes,
    countIf(resolved) AS resolved_episodes,
    round(quantileExactInclusiveIf(0.5)(minutes_to_resolve, resolved), 2) AS p50_minutes,
    round(quantileExactInclusiveIf(0.9)(minutes_to_resolve, resolved), 2) AS p90_minutes,
    maxIf(minutes_to_resolve, resolved) AS max_minutes
FROM alert_episodes
WHERE ({tenant:String} = '' OR tenant_id = {tenant:String})
  AND firing_at >= {since:DateTime64(6)}
  AND firing_at < {until:DateTime64(6)}
GROUP BY rule_id
ORDER BY p90_minutes DESC NULLS LAST, rule_id;

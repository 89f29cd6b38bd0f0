-- Question: what is waiting for a reviewer? The items of a tenant not decided yet (OPEN or IN_REVIEW), per
-- reason and priority, most urgent first: how many, how many are being reviewed, how many qualifying traces
-- they stand for (an item sampled at rate r stands for 1 / r), the oldest one's age, and the 5 oldest traces.
-- Parameters: tenant String, reason String ('' = every reason).
-- How: FINAL reads each item as its newest version (V010__review_queue.sql: key (tenant_id, item_id), not
-- partitioned, so FINAL is exact with any WHERE), so a DECIDED item is not open however its OPEN version
-- arrived.
SELECT
    reason,
    priority,
    count() AS items,
    countIf(status = 'IN_REVIEW') AS in_review,
    round(sum(1 / sample_rate), 1) AS qualifying_traces,
    min(created_at) AS oldest_created_at,
    round(dateDiff('microsecond', min(created_at), now64(6)) / 3600e6, 1) AS oldest_age_hours,
    arraySlice(arrayMap(x -> x.2, arraySort(groupArray((created_at, trace_id)))), 1, 5) AS oldest_trace_ids
FROM review_queue FINAL
WHERE tenant_id = {tenant:String}
  AND status IN ('OPEN', 'IN_REVIEW')
  AND ({reason:String} = '' OR reason = {reason:String})
GROUP BY reason, priority
ORDER BY indexOf(['URGENT', 'HIGH', 'NORMAL', 'LOW'], priority), items DESC, reason;

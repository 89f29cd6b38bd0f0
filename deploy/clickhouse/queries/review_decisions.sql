-- Question: what did reviewers decide, per prompt version? The items of a tenant decided in a time range,
-- per prompt name and version and label (correct, partially_correct, hallucinated, unsafe, incomplete,
-- tool_error): how many, their share of that version's decisions, the median hours from queued to decided,
-- the reasons they were queued for, how many reviewers, and up to 5 example traces.
-- Parameters: tenant String, prompt_name String ('' = every prompt), since DateTime64(6), until
--   DateTime64(6) (decided_at in [since, until)).
-- How: FINAL reads each item as its newest version (V010__review_queue.sql), so a changed decision counts
-- once, with its latest label; a trace without a prompt shows prompt '(none)'.
SELECT
    prompt,
    prompt_version,
    label,
    items,
    round(items / sum(items) OVER (PARTITION BY prompt, prompt_version), 4) AS share_of_version,
    median_hours_to_decision,
    reasons,
    reviewers,
    example_trace_ids
FROM
(
    SELECT
        ifNull(prompt_name, '(none)') AS prompt,
        ifNull(prompt_version, '(none)') AS prompt_version,
        ifNull(decision_label, '(none)') AS label,
        count() AS items,
        round(quantileExactInclusive(0.5)(dateDiff('microsecond', created_at, decided_at) / 3600e6), 2)
            AS median_hours_to_decision,
        arraySort(groupUniqArray(reason)) AS reasons,
        uniqExact(reviewer) AS reviewers,
        arraySort(groupUniqArray(5)(trace_id)) AS example_trace_ids
    FROM review_queue FINAL
    WHERE tenant_id = {tenant:String}
      AND status = 'DECIDED'
      AND decided_at >= {since:DateTime64(6)}
      AND decided_at < {until:DateTime64(6)}
      AND ({prompt_name:String} = '' OR prompt_name = {prompt_name:String})
    GROUP BY prompt, prompt_version, label
)
ORDER BY prompt, prompt_version, items DESC, label;

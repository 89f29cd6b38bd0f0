-- Question: what is being redacted, for whom? Redactions by detector and tenant (from each span's
-- redaction summary), with the number of spans affected.
-- Parameters: since DateTime64(6).
SELECT
    tenant_id,
    detector,
    sum(hits) AS redactions,
    count() AS spans_affected
FROM spans
ARRAY JOIN mapKeys(redaction_counts) AS detector, mapValues(redaction_counts) AS hits
WHERE start_time >= {since:DateTime64(6)}
GROUP BY tenant_id, detector
ORDER BY tenant_id, redactions DESC, detector;

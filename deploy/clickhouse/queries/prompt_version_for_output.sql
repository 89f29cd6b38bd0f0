-- Question: which prompt version produced this output? (A customer forwarded an answer; find the call.)
-- Parameters: tenant String, output_contains String (a fragment of the answer, case-insensitive),
--             since DateTime64(6).
SELECT
    start_time,
    trace_id,
    span_id,
    prompt_name,
    prompt_version,
    prompt_template_id,
    model_name,
    model_version,
    app_version,
    output_text
FROM spans
WHERE tenant_id = {tenant:String}
  AND start_time >= {since:DateTime64(6)}
  AND output_text ILIKE concat('%', {output_contains:String}, '%')
ORDER BY start_time DESC
LIMIT 20;

-- What the metrics stage counts about a span's quality, stored on the span so analysts can query it too
-- (LlmSpan fields added compatibly: prompt.template, tool_execution.call_id, policy_severity,
-- citation_coverage, output_validation). Spans written before this migration read NULL / empty here.
--
-- The validation_* columns are LlmSpan's output_validation record, computed once by the redaction stage's
-- enrichment step with a JSON Schema validator: NULL together when the span asked for no JSON and had no
-- tool arguments to check, so countIf(validation_json_parse_failed) / countIf(validation_json_requested)
-- is the parse failure rate of the spans that asked for JSON. validation_errors names where and why
-- (a path, a JSON pointer and a keyword), never payload text.
--
-- tool_call_id joins a TOOL span to the model's tool call that asked for it:
--   ... ARRAY JOIN output_tool_calls AS c ... WHERE c.id = tool_call_id (within one trace_id).
-- The prompt template is text like the prompt's messages: ZSTD and the same text TTL.
-- ADD COLUMN IF NOT EXISTS is idempotent like every migration; adding columns changes metadata only.
ALTER TABLE {{database}}.spans {{on_cluster}}
    ADD COLUMN IF NOT EXISTS prompt_template Nullable(String)
        COMMENT 'Template text the prompt was rendered from (redacted); NULL when not sent'
        CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY
        AFTER prompt_template_id,
    ADD COLUMN IF NOT EXISTS tool_call_id Nullable(String)
        COMMENT 'The model''s tool call id this execution answers (output_tool_calls.id of the requesting LLM span)'
        CODEC(ZSTD(1))
        AFTER tool_name,
    ADD COLUMN IF NOT EXISTS policy_severity LowCardinality(Nullable(String))
        COMMENT 'low, medium, high or critical: severity a policy or guardrail check gave what it found'
        AFTER redaction_policy_version,
    ADD COLUMN IF NOT EXISTS citation_coverage Nullable(Float64)
        COMMENT 'Share of the answer backed by cited sources, 0..1; NULL when the span does not report it'
        AFTER policy_severity,
    ADD COLUMN IF NOT EXISTS validation_json_requested Nullable(Bool)
        COMMENT 'The request asked for JSON (response_format json/json_object/json_schema/schema name, or structured output)'
        AFTER citation_coverage,
    ADD COLUMN IF NOT EXISTS validation_json_parse_failed Nullable(Bool)
        COMMENT 'JSON was requested and the output is not one JSON value'
        AFTER validation_json_requested,
    ADD COLUMN IF NOT EXISTS validation_schema_failed Nullable(Bool)
        COMMENT 'The output does not validate against the response JSON schema the span carried'
        AFTER validation_json_parse_failed,
    ADD COLUMN IF NOT EXISTS validation_tool_argument_failures Nullable(Int32)
        COMMENT 'Tool calls and executions whose arguments are not JSON or fail the tool''s parameter schema'
        AFTER validation_schema_failed,
    ADD COLUMN IF NOT EXISTS validation_checks_not_run Nullable(Int32)
        COMMENT 'Checks that could not run (schema_invalid, too_large, truncated, timeout); named in validation_errors'
        AFTER validation_tool_argument_failures,
    ADD COLUMN IF NOT EXISTS validation_errors Array(String)
        COMMENT 'Where and why each check failed or was skipped, e.g. output.tool_calls[0].arguments_json: required ''city'' at /'
        CODEC(ZSTD(3))
        AFTER validation_checks_not_run;

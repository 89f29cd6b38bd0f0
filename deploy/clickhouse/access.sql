-- Access management for the llmtrace database on a ClickHouse server (run as an admin with
-- access_management enabled, e.g. `clickhouse-client --multiquery < deploy/clickhouse/access.sql`).
-- Replace the database name if llmtrace.clickhouse.database is not "llmtrace", and ON CLUSTER if used.
--
-- Roles:
--   llmtrace_engineer  debugs traces: every column of the (already redacted) spans, the trace index and
--                      the dead letters; every column of alerts, releases and the review queue.
--   llmtrace_product   aggregates only: dimensions and numbers of spans, no prompt/output/tool text, no
--                      ids of end users; alerts and releases whole, the review queue without the
--                      reviewer's note (free text that may quote an output).
--   llmtrace_auditor   redaction summaries and what the pipeline refused: the redaction columns of spans
--                      and the dead letters, no text; the alerts (redaction failures page through them).
-- Tenancy: a user of one tenant gets one of the roles above plus a row policy on tenant_id. Once a table
-- has any row policy, ClickHouse hides every row from users no policy covers, so the cross-tenant roles
-- get an explicit "all rows" policy.
--
-- Checked by AccessSqlIT (sink-clickhouse): every statement parses on the ClickHouse 26.7
-- engine; the embedded engine refuses to execute them (no writable access storage), so their effect is
-- proven on a real server only.

CREATE ROLE IF NOT EXISTS llmtrace_engineer;
CREATE ROLE IF NOT EXISTS llmtrace_product;
CREATE ROLE IF NOT EXISTS llmtrace_auditor;

GRANT SELECT ON llmtrace.spans TO llmtrace_engineer;
GRANT SELECT ON llmtrace.trace_index TO llmtrace_engineer;
GRANT SELECT ON llmtrace.dead_letters TO llmtrace_engineer;
GRANT SELECT ON llmtrace.traces TO llmtrace_engineer;
GRANT SELECT ON llmtrace.metrics_1m TO llmtrace_engineer;
GRANT SELECT ON llmtrace.metrics_1h TO llmtrace_engineer;
GRANT SELECT ON llmtrace.metrics_1d TO llmtrace_engineer;
GRANT SELECT ON llmtrace.alerts TO llmtrace_engineer;
GRANT SELECT ON llmtrace.alert_episodes TO llmtrace_engineer;
GRANT SELECT ON llmtrace.releases TO llmtrace_engineer;
GRANT SELECT ON llmtrace.review_queue TO llmtrace_engineer;

GRANT SELECT(tenant_id, project_id, environment, service_name, feature_name, app_version, kind, name,
             start_time, end_time, duration_ms, status, error_type, attempt, fallback, rate_limited, timed_out,
             prompt_name, prompt_version, model_provider, model_name, model_version, model_region,
             input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, total_tokens,
             cost_amount, cost_currency, cost_source, evaluations, trace_id, parent_span_id,
             policy_severity, citation_coverage, validation_json_requested, validation_json_parse_failed,
             validation_schema_failed, validation_tool_argument_failures, validation_checks_not_run)
    ON llmtrace.spans TO llmtrace_product;
-- Trace summaries: every column but the first error's message (free text) and the user id.
GRANT SELECT(trace_id, tenant_id, environment, service_name, feature_name, app_version, request_id, session_id,
             root_span_name, root_span_kind, start_time, end_time, duration_micros, duration_ms, span_count,
             span_counts_by_kind, llm_calls, tool_calls, retrieval_calls, retries, fallbacks, timeouts, rate_limited,
             error_count, policy_check_failures, failed_evaluations, status, first_error_span_id, first_error_span_name,
             first_error_type, outcome, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
             reasoning_tokens, total_tokens, total_cost, unknown_cost_spans, prompt_names, prompt_versions_used,
             models_used, slowest_span_id, slowest_span_name, slowest_span_kind, slowest_span_duration_micros,
             critical_path_micros, critical_path, evaluations, positive_feedback, negative_feedback, feedback_count,
             truncated, incomplete, version, assembled_at, kafka_offset)
    ON llmtrace.traces TO llmtrace_product;
-- Metric windows are aggregates: dimensions, counts, sums, sketch bins and example trace ids (the product role
-- sees trace ids in spans too), no text and no end-user ids, so every column.
GRANT SELECT ON llmtrace.metrics_1m TO llmtrace_product;
GRANT SELECT ON llmtrace.metrics_1h TO llmtrace_product;
GRANT SELECT ON llmtrace.metrics_1d TO llmtrace_product;
-- Alerts name rules, owners, groups, values and example trace ids; their summary and action are written by the
-- rule, not by end users. Releases name versions, a pseudonymous releaser and a change note. Every column of both.
-- alert_episodes is SQL SECURITY INVOKER: reading it needs SELECT on alerts too, and alerts' row policies apply.
GRANT SELECT ON llmtrace.alerts TO llmtrace_product;
GRANT SELECT ON llmtrace.alert_episodes TO llmtrace_product;
GRANT SELECT ON llmtrace.releases TO llmtrace_product;
-- Review items: every column but the reviewer's note.
GRANT SELECT(item_id, tenant_id, trace_id, span_id, reason, priority, status, created_at, detail, environment, service_name,
             feature_name, prompt_name, prompt_version, model_name, trace_start_time, sample_rate, alert_id, decision_label,
             reviewer, decided_at, version, kafka_partition, kafka_offset, inserted_at)
    ON llmtrace.review_queue TO llmtrace_product;

GRANT SELECT(tenant_id, project_id, environment, service_name, start_time, trace_id, span_id,
             redaction_applied, redaction_counts, redaction_policy_version)
    ON llmtrace.spans TO llmtrace_auditor;
GRANT SELECT(failed_at, target_table, topic, partition, offset, record_time, error_class, reason)
    ON llmtrace.dead_letters TO llmtrace_auditor;
GRANT SELECT ON llmtrace.alerts TO llmtrace_auditor;
GRANT SELECT ON llmtrace.alert_episodes TO llmtrace_auditor;

CREATE ROW POLICY IF NOT EXISTS llmtrace_all_tenants ON llmtrace.spans
    FOR SELECT USING 1 TO llmtrace_engineer, llmtrace_product, llmtrace_auditor;
CREATE ROW POLICY IF NOT EXISTS llmtrace_all_tenants ON llmtrace.trace_index
    FOR SELECT USING 1 TO llmtrace_engineer;
CREATE ROW POLICY IF NOT EXISTS llmtrace_all_tenants ON llmtrace.traces
    FOR SELECT USING 1 TO llmtrace_engineer, llmtrace_product;
CREATE ROW POLICY IF NOT EXISTS llmtrace_all_tenants ON llmtrace.metrics_1h
    FOR SELECT USING 1 TO llmtrace_engineer, llmtrace_product;
CREATE ROW POLICY IF NOT EXISTS llmtrace_all_tenants ON llmtrace.metrics_1d
    FOR SELECT USING 1 TO llmtrace_engineer, llmtrace_product;
-- alerts of a rule over every tenant have tenant_id '': only these cross-tenant policies show them
CREATE ROW POLICY IF NOT EXISTS llmtrace_all_tenants ON llmtrace.alerts
    FOR SELECT USING 1 TO llmtrace_engineer, llmtrace_product, llmtrace_auditor;
CREATE ROW POLICY IF NOT EXISTS llmtrace_all_tenants ON llmtrace.releases
    FOR SELECT USING 1 TO llmtrace_engineer, llmtrace_product;
CREATE ROW POLICY IF NOT EXISTS llmtrace_all_tenants ON llmtrace.review_queue
    FOR SELECT USING 1 TO llmtrace_engineer, llmtrace_product;

-- One tenant's analysts (repeat per tenant; the role holds the tenant filter, users get the role).
CREATE ROLE IF NOT EXISTS llmtrace_tenant_acme;
GRANT llmtrace_product TO llmtrace_tenant_acme;
CREATE ROW POLICY IF NOT EXISTS llmtrace_tenant_acme ON llmtrace.spans
    FOR SELECT USING tenant_id = 'acme' TO llmtrace_tenant_acme;
CREATE ROW POLICY IF NOT EXISTS llmtrace_tenant_acme ON llmtrace.traces
    FOR SELECT USING tenant_id = 'acme' TO llmtrace_tenant_acme;
CREATE ROW POLICY IF NOT EXISTS llmtrace_tenant_acme ON llmtrace.metrics_1m
    FOR SELECT USING tenant_id = 'acme' TO llmtrace_tenant_acme;
CREATE ROW POLICY IF NOT EXISTS llmtrace_tenant_acme ON llmtrace.metrics_1h
    FOR SELECT USING tenant_id = 'acme' TO llmtrace_tenant_acme;
CREATE ROW POLICY IF NOT EXISTS llmtrace_tenant_acme ON llmtrace.metrics_1d
    FOR SELECT USING tenant_id = 'acme' TO llmtrace_tenant_acme;
CREATE ROW POLICY IF NOT EXISTS llmtrace_tenant_acme ON llmtrace.alerts
    FOR SELECT USING tenant_id = 'acme' TO llmtrace_tenant_acme;
CREATE ROW POLICY IF NOT EXISTS llmtrace_tenant_acme ON llmtrace.releases
    FOR SELECT USING tenant_id = 'acme' TO llmtrace_tenant_acme;
CREATE ROW POLICY IF NOT EXISTS llmtrace_tenant_acme ON llmtrace.review_queue
    FOR SELECT USING tenant_id = 'acme' TO llmtrace_tenant_acme;
CREATE USER IF NOT EXISTS acme_analyst IDENTIFIED WITH sha256_password BY 'change-me' DEFAULT ROLE llmtrace_tenant_acme;
GRANT llmtrace_tenant_acme TO acme_analyst;

-- The sink's own user: DDL for its migrations, inserts, nothing else.
CREATE USER IF NOT EXISTS llmtrace_sink IDENTIFIED WITH sha256_password BY 'change-me';
GRANT CREATE DATABASE, CREATE TABLE, CREATE VIEW, ALTER ON llmtrace.* TO llmtrace_sink;
GRANT INSERT, SELECT ON llmtrace.* TO llmtrace_sink;
-- V007's quantile functions (llmtrace_sketch_value, llmtrace_sketch_quantile) are server-wide objects, so
-- creating them is a global grant; calling them needs none. The metrics views read each block inserted into
-- metrics_1m as their definer, the sink; should the server apply metrics_1m's row policies to that read, a user
-- no policy covers would feed empty rollups, so the sink is covered too (not provable on the embedded engine).
GRANT CREATE FUNCTION ON *.* TO llmtrace_sink;
CREATE ROW POLICY IF NOT EXISTS llmtrace_all_tenants ON llmtrace.metrics_1m
    FOR SELECT USING 1 TO llmtrace_engineer, llmtrace_product, llmtrace_sink;

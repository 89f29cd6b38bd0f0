-- The human review queue (ReviewItem from llm.review): a trace queued for one reason (failed evaluation,
-- negative feedback, low judge confidence, high-risk feature, sampled new prompt version, long agent run,
-- example of a firing alert) as version 1, status OPEN; a reviewer's decision publishes the same item again
-- as version 2, status DECIDED, with its label (a changed decision counts up: 3, ...).
--
-- ReplacingMergeTree(version) ORDER BY (tenant_id, item_id): item_id is stable per tenant, trace and reason,
-- so the DECIDED version replaces the OPEN one whichever arrives first, and read with FINAL an item is one
-- row, its newest version. The key holds only what no version changes, and the table is not partitioned (the
-- engine collapses versions only inside a partition, and a decision can come months after the item was
-- queued), so FINAL is exact with any WHERE: "status = 'OPEN'" never finds the OPEN version of a decided item.
-- A queue humans work through stays small (thousands of rows a day at most), so one partition is fine; rows
-- leave it by the row TTL in merges, counted from the time the item was queued.
--
-- An item without item_id (written before the field existed) gets '<trace_id>/<reason>' from the sink, so
-- those items do not all collapse into one. Exactly once as for every table: the sink's insert tokens make its
-- retries idempotent ({{dedup_window}} tokens remembered), and a version replayed at another offset collapses
-- with FINAL like the original.
CREATE TABLE IF NOT EXISTS {{database}}.review_queue {{on_cluster}}
(
    item_id          String COMMENT 'Stable id of the item (tenant, trace and reason): the same on its OPEN and DECIDED versions' CODEC(ZSTD(1)),
    tenant_id        LowCardinality(String),
    trace_id         String CODEC(ZSTD(1)),
    span_id          Nullable(String) COMMENT 'Span that triggered the review; NULL when the whole trace is meant' CODEC(ZSTD(1)),
    reason           LowCardinality(String)
                     COMMENT 'failed_evaluation, negative_feedback, low_judge_confidence, high_risk_feature, sampled_prompt_version, tool_call_limit, alert_example',
    priority         LowCardinality(String) COMMENT 'LOW, NORMAL, HIGH, URGENT',
    status           LowCardinality(String) COMMENT 'OPEN, IN_REVIEW, DECIDED (RESOLVED, DISMISSED from earlier writers)',
    created_at       DateTime64(6, 'UTC') COMMENT 'When the item was queued',
    detail           Nullable(String) COMMENT 'What made the trace qualify, e.g. evaluator answer_cites_source failed (score 0.41)' CODEC(ZSTD(3)),
    environment      LowCardinality(Nullable(String)),
    service_name     LowCardinality(Nullable(String)),
    feature_name     LowCardinality(Nullable(String)),
    prompt_name      LowCardinality(Nullable(String)) COMMENT 'The trace''s prompt (its root''s, else its first LLM call''s)',
    prompt_version   LowCardinality(Nullable(String)),
    model_name       LowCardinality(Nullable(String)) COMMENT 'Model of the trace''s first LLM call',
    trace_start_time Nullable(DateTime64(6, 'UTC')),
    sample_rate      Float64 COMMENT 'The reason''s sampling rate when queued (1 = every qualifying trace): an item stands for 1 / sample_rate traces',
    alert_id         Nullable(String) COMMENT 'The alert episode the trace is an example of (reason alert_example); alerts.alert_id' CODEC(ZSTD(1)),
    decision_label   LowCardinality(Nullable(String)) COMMENT 'correct, partially_correct, hallucinated, unsafe, incomplete or tool_error; NULL until decided',
    decision_note    Nullable(String)
                     COMMENT 'The reviewer''s note (redacted like any span); free text, so it has the text TTL, counted from the decision'
                     CODEC(ZSTD(3)) TTL toDateTime(ifNull(decided_at, created_at)) + INTERVAL {{text_ttl_days}} DAY,
    reviewer         LowCardinality(Nullable(String)) COMMENT 'Pseudonymous id of the reviewer',
    decided_at       Nullable(DateTime64(6, 'UTC')) COMMENT 'When the decision was made (the review span''s start)',
    version          UInt32 COMMENT '1 when queued, 2 when decided, 3, ... for a changed decision; the highest is the item',
    kafka_partition  Int32,
    kafka_offset     Int64,
    inserted_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine_prefix}}ReplacingMergeTree(version)
ORDER BY (tenant_id, item_id)
TTL toDateTime(created_at) + INTERVAL {{row_ttl_days}} DAY
SETTINGS {{dedup_window_setting}} = {{dedup_window}};

-- One row per version of an assembled trace (TraceSummary from llm.traces). A late span makes the
-- assembler publish the trace again with the next version; every version is a row, and the newest
-- one is the trace. Columns follow TraceSummary: nested records flattened with a prefix (first_error_*,
-- slowest_span_*), critical_path as Array(Tuple), evaluations as a Map of named tuples
-- (evaluations['answer_cites_source'].failed), enums as their symbol ('RESCUED').
--
-- ORDER BY (tenant_id, trace_id): ReplacingMergeTree(version) collapses only rows whose sorting key is
-- equal (and only inside one partition), so the key may hold only what no later version changes. A
-- late root span moves start_time earlier and replaces feature_name, request_id, app_version, ... (the
-- root's values win over the earliest span's), so a key like (tenant_id, feature_name,
-- toStartOfHour(start_time), trace_id) would keep both versions for ever and FINAL would return both.
-- tenant_id first: every question starts from one tenant (row policies filter by it too); trace_id
-- next: one trace's versions are neighbours and a trace-id lookup reads one granule.
--
-- PARTITION BY day of end_time, TTL from end_time: end_time only grows from one version to the next
-- (start_time only falls), so the newest version is the last to expire; a TTL on start_time would drop
-- the newest version first and let a stale one reappear. A version whose end crosses midnight lands in
-- the next day's partition and is never merged with the older row; readers pick the newest per trace.
-- (Versions of a trace that reach the table in one insert are collapsed as it is written:
-- optimize_on_insert.)
--
-- Reading the newest version (deploy/clickhouse/queries/traces_*.sql):
--   SELECT ... FROM (SELECT * FROM traces WHERE tenant_id = t AND end_time >= since AND start_time < until
--                    ORDER BY version DESC, kafka_offset DESC LIMIT 1 BY trace_id)
--   WHERE <every other filter: start_time >= since, feature, outcome, cost, duration, ...>
-- Inside, only filters that a newer version passes whenever an older one does (tenant_id, trace_id,
-- end_time >= x, start_time < x): they prune partitions and granules but never keep an old version while
-- dropping the newest. Everything else is filtered on the newest row, outside. FINAL gives the newest
-- version too, with any WHERE, on the engine this project runs (26.7: defer_partition_pruning_after_final,
-- use_skip_indexes_if_final_exact_mode), but it then reads every partition of the tenant; on servers
-- without those settings, FINAL with a filter on a column that changes between versions can return a
-- stale version (checked: start_time >= x with the newest version in the previous day's partition).
CREATE TABLE IF NOT EXISTS {{database}}.traces {{on_cluster}}
(
    trace_id                      String CODEC(ZSTD(1)),
    tenant_id                     LowCardinality(String),
    environment                   LowCardinality(Nullable(String)),
    service_name                  LowCardinality(Nullable(String)),
    feature_name                  LowCardinality(Nullable(String)),
    app_version                   LowCardinality(Nullable(String)),
    request_id                    Nullable(String) CODEC(ZSTD(1)),
    session_id                    Nullable(String) CODEC(ZSTD(1)),
    user_id                       Nullable(String) CODEC(ZSTD(1)),
    root_span_name                LowCardinality(Nullable(String)),
    root_span_kind                LowCardinality(Nullable(String)),
    start_time                    DateTime64(6, 'UTC') CODEC(ZSTD(1)),
    end_time                      DateTime64(6, 'UTC') CODEC(ZSTD(1)),
    duration_micros               Int64,
    duration_ms                   Float64 ALIAS duration_micros / 1000.0,
    span_count                    Int32,
    span_counts_by_kind           Map(LowCardinality(String), Int32),
    llm_calls                     Int32,
    tool_calls                    Int32,
    retrieval_calls               Int32,
    retries                       Int32,
    fallbacks                     Int32,
    timeouts                      Int32,
    rate_limited                  Int32,
    error_count                   Int32,
    policy_check_failures         Int32,
    failed_evaluations            Int32,
    status                        LowCardinality(String),
    first_error_span_id           Nullable(String) CODEC(ZSTD(1)),
    first_error_span_name         LowCardinality(Nullable(String)),
    first_error_type              LowCardinality(Nullable(String)),
    first_error_message           Nullable(String) CODEC(ZSTD(3)) TTL toDateTime(end_time) + INTERVAL {{text_ttl_days}} DAY,
    outcome                       LowCardinality(String)
                                  COMMENT 'SUCCESS, FAILED (the root failed), RESCUED (the root succeeded although a span failed), INCOMPLETE (no root span)',
    input_tokens                  Int64,
    output_tokens                 Int64,
    cache_read_tokens             Int64,
    cache_write_tokens            Int64,
    reasoning_tokens              Int64,
    total_tokens                  Int64,
    total_cost                    Nullable(Float64)
                                  COMMENT 'Sum of the priced spans'' costs; NULL = no span was priced (unknown, not 0). See unknown_cost_spans.',
    unknown_cost_spans            Int32,
    prompt_names                  Array(LowCardinality(String)),
    prompt_versions_used          Array(LowCardinality(String)),
    models_used                   Array(LowCardinality(String)),
    slowest_span_id               Nullable(String) CODEC(ZSTD(1)),
    slowest_span_name             LowCardinality(Nullable(String)),
    slowest_span_kind             LowCardinality(Nullable(String)),
    slowest_span_duration_micros  Nullable(Int64),
    critical_path_micros          Nullable(Int64),
    critical_path                 Array(Tuple(name LowCardinality(String), micros Int64)),
    evaluations                   Map(LowCardinality(String), Tuple(passed Int32, failed Int32, min_score Nullable(Float64))),
    positive_feedback             Int32,
    negative_feedback             Int32,
    feedback_count                Int32,
    truncated                     Bool,
    incomplete                    Bool,
    version                       UInt64 COMMENT 'Summary version (1, 2, ...); the highest is the trace.',
    assembled_at                  Nullable(DateTime64(6, 'UTC')),
    -- Where the row was read: one trace's versions share a Kafka partition (keyed by trace id), so the
    -- offset orders two rows of the same version as the assembler published them.
    kafka_partition               Int32,
    kafka_offset                  Int64,
    inserted_at                   DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_request_id request_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_start_time start_time TYPE minmax GRANULARITY 1
)
ENGINE = {{engine_prefix}}ReplacingMergeTree(version)
PARTITION BY toDate(end_time)
ORDER BY (tenant_id, trace_id)
TTL toDateTime(end_time) + INTERVAL {{row_ttl_days}} DAY
SETTINGS ttl_only_drop_parts = 1, {{dedup_window_setting}} = {{dedup_window}};

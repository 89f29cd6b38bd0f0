-- One row per span, as the redaction stage published it (so every text column is already redacted).
--
-- Typed columns for everything analysts filter or group by; LowCardinality for dimensions (a few
-- thousand distinct values at most); ZSTD on free text. Nullable where the span may omit a value, so
-- a row reads back as the span it came from.
--
-- ORDER BY (tenant_id, toStartOfHour(start_time), kind, name, start_time): every question in
-- deploy/clickhouse/queries starts from one tenant (row policies filter by it too) and a time range,
-- then groups by kind/name/prompt/model. Tenant first makes a tenant's rows contiguous; the hour bucket
-- next keeps time-range scans narrow inside the tenant; kind and name (low cardinality) after it make
-- the sort group similar rows, which is what makes the text and map columns compress. Trace lookups do
-- not use the key: they go through trace_index (V002) for the time bounds, then partition pruning and
-- the trace_id bloom filter.
--
-- Partition by day so the row TTL drops whole parts (ttl_only_drop_parts) and a time filter prunes
-- partitions. Inserts carry insert_deduplication_token; the deduplication window keeps the tokens of the
-- last {{dedup_window}} inserts (see sink-clickhouse/README.md, "Exactly once").
CREATE TABLE IF NOT EXISTS {{database}}.spans {{on_cluster}}
(
    trace_id                  String CODEC(ZSTD(1)),
    span_id                   String CODEC(ZSTD(1)),
    parent_span_id            Nullable(String) CODEC(ZSTD(1)),
    request_id                Nullable(String) CODEC(ZSTD(1)),
    session_id                Nullable(String) CODEC(ZSTD(1)),
    tenant_id                 LowCardinality(String),
    project_id                LowCardinality(Nullable(String)),
    environment               LowCardinality(Nullable(String)),
    service_name              LowCardinality(Nullable(String)),
    feature_name              LowCardinality(Nullable(String)),
    app_version               LowCardinality(Nullable(String)),
    user_id                   Nullable(String) CODEC(ZSTD(1)),
    kind                      LowCardinality(String),
    name                      LowCardinality(String),
    start_time                DateTime64(6, 'UTC') CODEC(Delta, ZSTD(1)),
    end_time                  DateTime64(6, 'UTC') CODEC(Delta, ZSTD(1)),
    duration_ms               Float64 MATERIALIZED (toUnixTimestamp64Micro(end_time) - toUnixTimestamp64Micro(start_time)) / 1000.0,
    status                    LowCardinality(String),
    error_type                LowCardinality(Nullable(String)),
    error_message             Nullable(String) CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    attempt                   Nullable(Int32),
    retry_of_span_id          Nullable(String) CODEC(ZSTD(1)),
    fallback                  Bool,
    rate_limited              Bool,
    timed_out                 Bool,
    prompt_name               LowCardinality(Nullable(String)),
    prompt_version            LowCardinality(Nullable(String)),
    prompt_template_id        LowCardinality(Nullable(String)),
    prompt_variables          Map(LowCardinality(String), String) CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    prompt_messages           Array(Tuple(role LowCardinality(String), content Nullable(String), name Nullable(String), tool_call_id Nullable(String)))
                              CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    model_provider            LowCardinality(Nullable(String)),
    model_name                LowCardinality(Nullable(String)),
    model_version             LowCardinality(Nullable(String)),
    model_region              LowCardinality(Nullable(String)),
    gen_temperature           Nullable(Float64),
    gen_max_tokens            Nullable(Int32),
    gen_top_p                 Nullable(Float64),
    gen_seed                  Nullable(Int64),
    gen_response_format       LowCardinality(Nullable(String)),
    gen_tool_choice           LowCardinality(Nullable(String)),
    gen_tools                 Array(Tuple(name String, description Nullable(String), parameters_json Nullable(String))) CODEC(ZSTD(3)),
    output_text               Nullable(String) CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    output_structured_json    Nullable(String) CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    output_finish_reason      LowCardinality(Nullable(String)),
    output_tool_calls         Array(Tuple(id Nullable(String), name String, arguments_json Nullable(String)))
                              CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    input_tokens              Nullable(Int64),
    output_tokens             Nullable(Int64),
    cache_read_tokens         Nullable(Int64),
    cache_write_tokens        Nullable(Int64),
    reasoning_tokens          Nullable(Int64),
    total_tokens              Nullable(Int64),
    cost_amount               Nullable(Float64),
    cost_currency             LowCardinality(Nullable(String)),
    cost_source               LowCardinality(Nullable(String)),
    cost_price_table_version  LowCardinality(Nullable(String)),
    retrieval_query           Nullable(String) CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    retrieval_index_name      LowCardinality(Nullable(String)),
    retrieval_index_version   LowCardinality(Nullable(String)),
    retrieval_embedding_model LowCardinality(Nullable(String)),
    retrieval_documents       Array(Tuple(doc_id String, chunk_id Nullable(String), score Nullable(Float64), rerank_score Nullable(Float64),
                                          included_in_prompt Nullable(Bool), content Nullable(String)))
                              CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    tool_name                 LowCardinality(Nullable(String)),
    tool_arguments_json       Nullable(String) CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    tool_result_content       Nullable(String) CODEC(ZSTD(3)) TTL toDateTime(start_time) + INTERVAL {{text_ttl_days}} DAY,
    tool_status               LowCardinality(Nullable(String)),
    evaluations               Array(Tuple(evaluator_name LowCardinality(String), evaluator_version Nullable(String), score Nullable(Float64),
                                          passed Nullable(Bool), label Nullable(String), explanation Nullable(String))) CODEC(ZSTD(3)),
    feedback                  Array(Tuple(kind LowCardinality(String), value Nullable(String), comment Nullable(String))) CODEC(ZSTD(3)),
    attributes                Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    events                    Array(Tuple(name LowCardinality(String), time DateTime64(6, 'UTC'), attributes Map(LowCardinality(String), String)))
                              CODEC(ZSTD(3)),
    redaction_applied         Nullable(Bool),
    redaction_counts          Map(LowCardinality(String), Int32),
    redaction_policy_version  LowCardinality(Nullable(String)),
    -- Where the row was read: (kafka_partition, kafka_offset) is unique per row, which makes
    -- "no duplicates" one query: count() = uniqExact(kafka_partition, kafka_offset).
    kafka_partition           Int32,
    kafka_offset              Int64,
    inserted_at               DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_prompt_version prompt_version TYPE set(256) GRANULARITY 4,
    INDEX idx_model_name model_name TYPE set(256) GRANULARITY 4
)
ENGINE = {{engine_prefix}}MergeTree
PARTITION BY toDate(start_time)
ORDER BY (tenant_id, toStartOfHour(start_time), kind, name, start_time)
TTL toDateTime(start_time) + INTERVAL {{row_ttl_days}} DAY
SETTINGS ttl_only_drop_parts = 1, {{dedup_window_setting}} = {{dedup_window}};

-- trace_id -> (tenant, first start, last end, span count), so "show me trace X" reads one row here and
-- then only the day partitions and granules of spans that can hold it, instead of scanning.
-- Fed by a materialized view on every insert into spans. Not partitioned: one trace's rows must be able
-- to merge whatever day they were written; the row TTL matches the spans table's.
CREATE TABLE IF NOT EXISTS {{database}}.trace_index {{on_cluster}}
(
    trace_id   String CODEC(ZSTD(1)),
    tenant_id  LowCardinality(String),
    start_time SimpleAggregateFunction(min, DateTime64(6, 'UTC')),
    end_time   SimpleAggregateFunction(max, DateTime64(6, 'UTC')),
    span_count SimpleAggregateFunction(sum, UInt64)
)
ENGINE = {{engine_prefix}}AggregatingMergeTree
ORDER BY (trace_id, tenant_id)
TTL toDateTime(end_time) + INTERVAL {{row_ttl_days}} DAY
SETTINGS {{dedup_window_setting}} = {{dedup_window}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.trace_index_mv {{on_cluster}} TO {{database}}.trace_index
AS SELECT
    trace_id,
    tenant_id,
    min(start_time) AS start_time,
    max(end_time) AS end_time,
    count() AS span_count
FROM {{database}}.spans
GROUP BY trace_id, tenant_id;

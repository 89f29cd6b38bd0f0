-- Records the sink could not write: undecodable (not the topic's Avro contract, unknown schema id) or
-- rejected by ClickHouse for their values. The original bytes are kept (base64) with where they came
-- from, so they can be inspected and replayed. Only redacted topics are mapped to ClickHouse tables, so
-- these payloads are redacted data or bytes no stage could read.
CREATE TABLE IF NOT EXISTS {{database}}.dead_letters {{on_cluster}}
(
    failed_at        DateTime64(3, 'UTC') DEFAULT now64(3),
    target_table     LowCardinality(String),
    topic            LowCardinality(String),
    partition        Int32,
    offset           Int64,
    record_time      DateTime64(3, 'UTC'),
    error_class      LowCardinality(String),
    reason           String CODEC(ZSTD(3)),
    key_base64       Nullable(String) CODEC(ZSTD(3)),
    payload_base64   String CODEC(ZSTD(3))
)
ENGINE = {{engine_prefix}}MergeTree
PARTITION BY toYYYYMM(failed_at)
ORDER BY (target_table, topic, partition, offset)
TTL toDateTime(failed_at) + INTERVAL {{row_ttl_days}} DAY
SETTINGS {{dedup_window_setting}} = {{dedup_window}};

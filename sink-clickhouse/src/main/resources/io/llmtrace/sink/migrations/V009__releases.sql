-- One row per release marker (ReleaseMarker from llm.releases, published by the gateway): a new app version
-- of a service and/or a new prompt version, deployed at a time by someone. Analysts read them to put
-- "what changed" next to a curve; before-release alert rules compare against the same markers.
--
-- ReplacingMergeTree(received_at) ORDER BY (tenant_id, release_id): a caller that retries its request sends
-- the same release_id again, possibly with a corrected note; the copies collapse to the one the gateway
-- accepted last. The key holds only what a copy cannot change (the tenant comes from the API key, the id is
-- the marker's), so copies always share it and FINAL is exact with any WHERE. Not partitioned: the engine
-- collapses copies only inside a partition, and a corrected released_at could move a copy to another one;
-- a table of one row per deploy stays a handful of parts.
--
-- No row TTL: a release is a few hundred bytes and explains metrics_1h/metrics_1d, which keep their rows
-- too; the released_by column holds a pseudonymous id or team, never an email (the gateway's contract).
-- The sink's insert tokens make its retries exactly once as for every table ({{dedup_window}} tokens
-- remembered); a marker replayed at another offset is collapsed by the engine like a retried one.
CREATE TABLE IF NOT EXISTS {{database}}.releases {{on_cluster}}
(
    release_id      String COMMENT 'Id of the marker (the gateway assigns a UUID when the caller gives none)' CODEC(ZSTD(1)),
    tenant_id       LowCardinality(String),
    service_name    LowCardinality(String),
    environment     LowCardinality(Nullable(String)) COMMENT 'Released to, e.g. production or canary',
    app_version     LowCardinality(Nullable(String)) COMMENT 'The new app version, as spans carry it in app_version; NULL for a prompt-only release',
    prompt_name     LowCardinality(Nullable(String)) COMMENT 'The prompt whose version changed',
    prompt_version  LowCardinality(Nullable(String)) COMMENT 'The new prompt version',
    released_at     DateTime64(6, 'UTC') COMMENT 'When the release took effect',
    released_by     LowCardinality(Nullable(String)) COMMENT 'Who released it: a pseudonymous id or team, not an email',
    note            Nullable(String) COMMENT 'Free text, e.g. the change ticket' CODEC(ZSTD(3)),
    received_at     DateTime64(6, 'UTC') COMMENT 'When the gateway accepted the marker; of two copies of a release_id the later one is kept',
    kafka_partition Int32,
    kafka_offset    Int64,
    inserted_at     DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_released_at released_at TYPE minmax GRANULARITY 1
)
ENGINE = {{engine_prefix}}ReplacingMergeTree(received_at)
ORDER BY (tenant_id, release_id)
SETTINGS {{dedup_window_setting}} = {{dedup_window}};

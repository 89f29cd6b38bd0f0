-- A span whose cost is unknown (it used tokens, but no price applied: LlmSpan's Cost.amount is null
-- with source UNKNOWN) stores NULL in cost_amount, never 0, so sums and averages over priced spans are
-- not dragged down by spans nobody priced. V001 already creates the column as Nullable(Float64); this
-- makes the type a checked part of the schema history on every database, whatever created its spans
-- table, and records the meaning of NULL where analysts look (system.columns, DESCRIBE TABLE).
-- The type is unchanged on a database V001 created, so ClickHouse changes metadata only (no mutation);
-- the statement is idempotent like every migration.
ALTER TABLE {{database}}.spans {{on_cluster}}
    MODIFY COLUMN cost_amount Nullable(Float64)
    COMMENT 'Cost in cost_currency; NULL = unknown (tokens used, no price applied: cost_source UNKNOWN), never 0. sum() skips NULLs; divide by count(cost_amount), the priced spans.';

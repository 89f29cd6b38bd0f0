-- One-minute metric windows (MetricWindow from llm.metrics) in metrics_1m, rolled up by materialized views
-- into metrics_1h and metrics_1d. A window is one group of one level over one minute: level 'llm.spans'
-- (tenant, environment, service, feature, kind, span name, prompt name and version, model provider and
-- name, configured attributes such as customer_tier) or 'llm.traces' (tenant, environment, feature,
-- release, root prompt version). The three tables have the same column names with the same meaning, so a
-- query reads any resolution by changing the table name: every measure is a sum, a min/max or a map of
-- sums, and always read with sum()/min()/max()/sumMap() (rollup rows of one key are merged in the
-- background, not at insert).
--
-- Percentiles merge exactly: the stream app keeps latency, cost and cost per successful task as DDSketches
-- (com.datadoghq:sketches-java, LogarithmicMapping at relative accuracy 0.01), and a sketch is stored as its
-- bins, Map(Int32, UInt64) index -> count, plus the count of zeros. Sketches under the same mapping merge by
-- adding the counts of equal indexes, which is sumMap, so the bins of an hour or a day are exactly the bins
-- of the sketch of all its values, and their quantiles are within 1% of the exact ones (SketchAccuracyIT).
-- The sink refuses (dead letter) a sketch of another relative accuracy: its bins would silently mix.
-- Reading a quantile: llmtrace_sketch_quantile(q, bins, zero_count), defined below, e.g.
--   SELECT llmtrace_sketch_quantile(0.95, sumMap(latency_bins), sum(latency_zero_count)) FROM metrics_1h WHERE ...
-- It is DDSketch.getValueAtQuantile of sketches-java 0.8.3: rank = q * (count - 1); zeros come first (value
-- 0); otherwise the first bin, by ascending index, whose cumulative count exceeds the rank; its value is
-- the mapping's value(index) = exp(index / multiplier) * (1 + relative accuracy), multiplier =
-- 1 / log1p(gamma - 1), gamma = (1 + 0.01) / (1 - 0.01), relative accuracy = (gamma - 1) / (gamma + 1) (read
-- from the library's bytecode and checked against it: SketchAccuracyIT). NULL for an empty sketch.
-- Functions are global on a server, not per database: every database of this schema shares them, so a
-- changed definition is a new function name, never an edit.
--
-- metrics_1m: ReplacingMergeTree whose sorting key holds the window's identity (tenant, level, group id,
-- window start), so a window emitted twice (a reset stream app replaying its input) collapses to the last
-- copy; read it with FINAL (the key never changes between copies, and the partition is a function of the
-- key, so FINAL is exact with any WHERE). The sink's deduplication tokens already make its own retries
-- exactly once, and the stream app emits each window once (exactly_once_v2, suppressed until the window
-- closes). The rollups cannot take back a copy that reached them: after such a replay, rebuild the affected
-- months of metrics_1h/metrics_1d from metrics_1m FINAL (DROP PARTITION, then INSERT ... SELECT as in the
-- views below). The stream app aggregates each partition of its trace-keyed input on its own, so one group's
-- minute arrives as one row per shard (input partition): the shard is part of the identity, and every
-- query sums over shards (counts, sums, maps and sketch bins all add up exactly); the rollups do so too.
-- ORDER BY (tenant_id, level, toStartOfHour(window_start), group_id, window_start, shard): every
-- question is one tenant, one level and a time range, then groups; the hour bucket before the group keeps a
-- range scan narrow while a group's minutes stay neighbours. Day partitions and the row TTL as for spans.
--
-- Dimensions: the map as the stream app sent it (configured attributes stay only there:
-- dimensions['customer_tier']) and typed LowCardinality columns MATERIALIZED from its well-known keys
-- (tenant_id, environment, service_name, feature_name, kind, span_name, prompt_name, prompt_version,
-- model_provider, model_name, app_version = the release; '' when a level does not group by it or the span
-- had no value). Trace-level windows carry the prompt versions a trace used as dimensions['prompt_versions'].
-- Changing a key later is an ALTER ... MODIFY COLUMN in a new migration, not a sink release. tenant_id is
-- required (the sink dead-letters a window without one): row policies filter on it.
--
-- Evaluations are parallel maps by evaluator (eval_passed, eval_failed, eval_score_sum, eval_score_count)
-- because sumMap adds numbers, not tuples. Exemplars are arrays of trace ids; the rollups keep up to 10
-- distinct ones per kind (groupUniqArrayArray(10)): examples to open, not a ranking.
--
-- metrics_1h / metrics_1d: AggregatingMergeTree with SimpleAggregateFunction columns (plain values to
-- read, merged by the named function), fed by one materialized view each on inserts into metrics_1m, keyed
-- (tenant_id, level, window_start, group_id); the dimensions are functionally dependent on group_id (a hash
-- of level and dimensions), so they are any(). Month / year partitions and no TTL: an hour of a group is
-- 1/60 of its minutes; drop old partitions by hand (or add a TTL in a later migration). The deduplication
-- window is set on them too, for servers that deduplicate the views' blocks as well
-- (deduplicate_blocks_in_dependent_materialized_views); by default a deduplicated insert into metrics_1m
-- does not reach the views at all, which is what keeps the sink's re-sent batches out of the rollups.
CREATE FUNCTION IF NOT EXISTS llmtrace_sketch_value {{on_cluster}} AS (bin_index) ->
    exp(bin_index / (1 / log1p(((1 + 0.01) / (1 - 0.01)) - 1)))
    * (1 + (((1 + 0.01) / (1 - 0.01)) - 1) / (((1 + 0.01) / (1 - 0.01)) + 1));

CREATE FUNCTION IF NOT EXISTS llmtrace_sketch_quantile {{on_cluster}} AS (quantile_level, bins, zero_count) ->
    if(toFloat64(zero_count) + arraySum(mapValues(bins)) = 0, NULL,
       if(zero_count > quantile_level * (toFloat64(zero_count) + arraySum(mapValues(bins)) - 1), 0,
          llmtrace_sketch_value(arraySort(mapKeys(bins))[arrayFirstIndex(
              cumulative -> zero_count + cumulative > quantile_level * (toFloat64(zero_count) + arraySum(mapValues(bins)) - 1),
              arrayCumSum(arraySort((bin_count, bin_key) -> bin_key, mapValues(bins), mapKeys(bins))))])));

CREATE TABLE IF NOT EXISTS {{database}}.metrics_1m {{on_cluster}}
(
    window_start                DateTime64(6, 'UTC') CODEC(Delta, ZSTD(1)),
    window_end                  DateTime64(6, 'UTC') CODEC(Delta, ZSTD(1)),
    level                       LowCardinality(String) COMMENT 'MetricWindow.metric_name: llm.spans or llm.traces',
    group_id                    String CODEC(ZSTD(1)),
    shard                       Int32 COMMENT 'Input partition the window aggregates: a group''s window is the sum over shards',
    dimensions                  Map(LowCardinality(String), String),
    tenant_id                   LowCardinality(String) MATERIALIZED dimensions['tenant_id'],
    environment                 LowCardinality(String) MATERIALIZED dimensions['environment'],
    service_name                LowCardinality(String) MATERIALIZED dimensions['service_name'],
    feature_name                LowCardinality(String) MATERIALIZED dimensions['feature_name'],
    kind                        LowCardinality(String) MATERIALIZED dimensions['kind'],
    span_name                   LowCardinality(String) MATERIALIZED dimensions['span_name'],
    prompt_name                 LowCardinality(String) MATERIALIZED dimensions['prompt_name'],
    prompt_version              LowCardinality(String) MATERIALIZED dimensions['prompt_version'],
    model_provider              LowCardinality(String) MATERIALIZED dimensions['model_provider'],
    model_name                  LowCardinality(String) MATERIALIZED dimensions['model_name'],
    app_version                 LowCardinality(String) MATERIALIZED dimensions['app_version'],
    overflow                    Bool COMMENT 'The group that collects a tenant''s groups beyond the per-window cardinality limit',
    observations                Int64 COMMENT 'Spans (llm.spans) or traces (llm.traces) in the window',
    latency_sum_ms              Float64,
    latency_min_ms              Nullable(Float64),
    latency_max_ms              Nullable(Float64),
    latency_p50_ms              Nullable(Float64) COMMENT 'As the stream app computed it for this window; larger windows: llmtrace_sketch_quantile',
    latency_p90_ms              Nullable(Float64),
    latency_p95_ms              Nullable(Float64),
    latency_p99_ms              Nullable(Float64),
    latency_bins                Map(Int32, UInt64) COMMENT 'DDSketch bins (LogarithmicMapping, relative accuracy 0.01) of latency ms (spans) or trace duration ms (traces)',
    latency_zero_count          UInt64,
    error_count                 Int64,
    timeouts                    Int64,
    retries                     Int64,
    fallbacks                   Int64,
    rate_limited                Int64,
    input_tokens                Int64,
    output_tokens               Int64,
    cache_read_tokens           Int64,
    cache_write_tokens          Int64,
    cost_sum                    Float64 COMMENT 'Sum of known costs; priced_count observations had one, unknown_cost_count used tokens but had none',
    priced_count                Int64,
    unknown_cost_count          Int64,
    cost_bins                   Map(Int32, UInt64) COMMENT 'DDSketch bins of known costs (per span, or per task at trace level)',
    cost_zero_count             UInt64,
    eval_passed                 Map(LowCardinality(String), Int64) COMMENT 'By evaluator name',
    eval_failed                 Map(LowCardinality(String), Int64),
    eval_score_sum              Map(LowCardinality(String), Float64),
    eval_score_count            Map(LowCardinality(String), Int64),
    positive_feedback           Int64,
    negative_feedback           Int64,
    json_parse_failures         Int64,
    schema_validation_failures  Int64,
    tool_call_failures          Int64,
    tool_argument_failures      Int64,
    citation_coverage_sum       Float64,
    citation_coverage_count     Int64,
    policy_failures_by_severity Map(LowCardinality(String), Int64),
    exemplar_errors             Array(String) CODEC(ZSTD(1)),
    exemplar_failed_evaluations Array(String) CODEC(ZSTD(1)),
    exemplar_slowest            Array(String) CODEC(ZSTD(1)),
    exemplar_most_expensive     Array(String) CODEC(ZSTD(1)),
    tasks                       Int64 COMMENT 'llm.traces: traces that ended in the window; successful/failed/rescued/incomplete by outcome',
    successful                  Int64,
    failed                      Int64,
    rescued                     Int64,
    incomplete                  Int64,
    cost_per_success_bins       Map(Int32, UInt64) COMMENT 'llm.traces: DDSketch bins of the cost of SUCCESS or RESCUED tasks',
    cost_per_success_zero_count UInt64,
    cost_success_sum            Float64,
    kafka_partition             Int32,
    kafka_offset                Int64,
    inserted_at                 DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine_prefix}}ReplacingMergeTree
PARTITION BY toDate(window_start)
ORDER BY (tenant_id, level, toStartOfHour(window_start), group_id, window_start, shard)
TTL toDateTime(window_start) + INTERVAL {{row_ttl_days}} DAY
SETTINGS ttl_only_drop_parts = 1, {{dedup_window_setting}} = {{dedup_window}};

CREATE TABLE IF NOT EXISTS {{database}}.metrics_1h {{on_cluster}}
(
    window_start                DateTime('UTC'),
    level                       LowCardinality(String),
    group_id                    String CODEC(ZSTD(1)),
    tenant_id                   LowCardinality(String),
    dimensions                  SimpleAggregateFunction(any, Map(String, String)),
    environment                 SimpleAggregateFunction(any, LowCardinality(String)),
    service_name                SimpleAggregateFunction(any, LowCardinality(String)),
    feature_name                SimpleAggregateFunction(any, LowCardinality(String)),
    kind                        SimpleAggregateFunction(any, LowCardinality(String)),
    span_name                   SimpleAggregateFunction(any, LowCardinality(String)),
    prompt_name                 SimpleAggregateFunction(any, LowCardinality(String)),
    prompt_version              SimpleAggregateFunction(any, LowCardinality(String)),
    model_provider              SimpleAggregateFunction(any, LowCardinality(String)),
    model_name                  SimpleAggregateFunction(any, LowCardinality(String)),
    app_version                 SimpleAggregateFunction(any, LowCardinality(String)),
    overflow                    SimpleAggregateFunction(any, Bool),
    windows                     SimpleAggregateFunction(sum, UInt64) COMMENT 'One-minute windows merged into the row',
    observations                SimpleAggregateFunction(sum, Int64),
    latency_sum_ms              SimpleAggregateFunction(sum, Float64),
    latency_min_ms              SimpleAggregateFunction(min, Nullable(Float64)),
    latency_max_ms              SimpleAggregateFunction(max, Nullable(Float64)),
    latency_bins                SimpleAggregateFunction(sumMap, Map(Int32, UInt64)),
    latency_zero_count          SimpleAggregateFunction(sum, UInt64),
    error_count                 SimpleAggregateFunction(sum, Int64),
    timeouts                    SimpleAggregateFunction(sum, Int64),
    retries                     SimpleAggregateFunction(sum, Int64),
    fallbacks                   SimpleAggregateFunction(sum, Int64),
    rate_limited                SimpleAggregateFunction(sum, Int64),
    input_tokens                SimpleAggregateFunction(sum, Int64),
    output_tokens               SimpleAggregateFunction(sum, Int64),
    cache_read_tokens           SimpleAggregateFunction(sum, Int64),
    cache_write_tokens          SimpleAggregateFunction(sum, Int64),
    cost_sum                    SimpleAggregateFunction(sum, Float64),
    priced_count                SimpleAggregateFunction(sum, Int64),
    unknown_cost_count          SimpleAggregateFunction(sum, Int64),
    cost_bins                   SimpleAggregateFunction(sumMap, Map(Int32, UInt64)),
    cost_zero_count             SimpleAggregateFunction(sum, UInt64),
    eval_passed                 SimpleAggregateFunction(sumMap, Map(String, Int64)),
    eval_failed                 SimpleAggregateFunction(sumMap, Map(String, Int64)),
    eval_score_sum              SimpleAggregateFunction(sumMap, Map(String, Float64)),
    eval_score_count            SimpleAggregateFunction(sumMap, Map(String, Int64)),
    positive_feedback           SimpleAggregateFunction(sum, Int64),
    negative_feedback           SimpleAggregateFunction(sum, Int64),
    json_parse_failures         SimpleAggregateFunction(sum, Int64),
    schema_validation_failures  SimpleAggregateFunction(sum, Int64),
    tool_call_failures          SimpleAggregateFunction(sum, Int64),
    tool_argument_failures      SimpleAggregateFunction(sum, Int64),
    citation_coverage_sum       SimpleAggregateFunction(sum, Float64),
    citation_coverage_count     SimpleAggregateFunction(sum, Int64),
    policy_failures_by_severity SimpleAggregateFunction(sumMap, Map(String, Int64)),
    exemplar_errors             SimpleAggregateFunction(groupUniqArrayArray(10), Array(String)),
    exemplar_failed_evaluations SimpleAggregateFunction(groupUniqArrayArray(10), Array(String)),
    exemplar_slowest            SimpleAggregateFunction(groupUniqArrayArray(10), Array(String)),
    exemplar_most_expensive     SimpleAggregateFunction(groupUniqArrayArray(10), Array(String)),
    tasks                       SimpleAggregateFunction(sum, Int64),
    successful                  SimpleAggregateFunction(sum, Int64),
    failed                      SimpleAggregateFunction(sum, Int64),
    rescued                     SimpleAggregateFunction(sum, Int64),
    incomplete                  SimpleAggregateFunction(sum, Int64),
    cost_per_success_bins       SimpleAggregateFunction(sumMap, Map(Int32, UInt64)),
    cost_per_success_zero_count SimpleAggregateFunction(sum, UInt64),
    cost_success_sum            SimpleAggregateFunction(sum, Float64)
)
ENGINE = {{engine_prefix}}AggregatingMergeTree
PARTITION BY toYYYYMM(window_start)
ORDER BY (tenant_id, level, window_start, group_id)
SETTINGS {{dedup_window_setting}} = {{dedup_window}};

CREATE TABLE IF NOT EXISTS {{database}}.metrics_1d {{on_cluster}} AS {{database}}.metrics_1h
ENGINE = {{engine_prefix}}AggregatingMergeTree
PARTITION BY toYear(window_start)
ORDER BY (tenant_id, level, window_start, group_id)
SETTINGS {{dedup_window_setting}} = {{dedup_window}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.metrics_1h_mv {{on_cluster}} TO {{database}}.metrics_1h
AS SELECT
    toStartOfHour(toDateTime(window_start, 'UTC')) AS window_start,
    level,
    group_id,
    tenant_id,
    any(dimensions) AS dimensions,
    any(environment) AS environment,
    any(service_name) AS service_name,
    any(feature_name) AS feature_name,
    any(kind) AS kind,
    any(span_name) AS span_name,
    any(prompt_name) AS prompt_name,
    any(prompt_version) AS prompt_version,
    any(model_provider) AS model_provider,
    any(model_name) AS model_name,
    any(app_version) AS app_version,
    any(overflow) AS overflow,
    toUInt64(count()) AS windows,
    sum(observations) AS observations,
    sum(latency_sum_ms) AS latency_sum_ms,
    min(latency_min_ms) AS latency_min_ms,
    max(latency_max_ms) AS latency_max_ms,
    sumMap(latency_bins) AS latency_bins,
    sum(latency_zero_count) AS latency_zero_count,
    sum(error_count) AS error_count,
    sum(timeouts) AS timeouts,
    sum(retries) AS retries,
    sum(fallbacks) AS fallbacks,
    sum(rate_limited) AS rate_limited,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(cache_write_tokens) AS cache_write_tokens,
    sum(cost_sum) AS cost_sum,
    sum(priced_count) AS priced_count,
    sum(unknown_cost_count) AS unknown_cost_count,
    sumMap(cost_bins) AS cost_bins,
    sum(cost_zero_count) AS cost_zero_count,
    sumMap(eval_passed) AS eval_passed,
    sumMap(eval_failed) AS eval_failed,
    sumMap(eval_score_sum) AS eval_score_sum,
    sumMap(eval_score_count) AS eval_score_count,
    sum(positive_feedback) AS positive_feedback,
    sum(negative_feedback) AS negative_feedback,
    sum(json_parse_failures) AS json_parse_failures,
    sum(schema_validation_failures) AS schema_validation_failures,
    sum(tool_call_failures) AS tool_call_failures,
    sum(tool_argument_failures) AS tool_argument_failures,
    sum(citation_coverage_sum) AS citation_coverage_sum,
    sum(citation_coverage_count) AS citation_coverage_count,
    sumMap(policy_failures_by_severity) AS policy_failures_by_severity,
    groupUniqArrayArray(10)(exemplar_errors) AS exemplar_errors,
    groupUniqArrayArray(10)(exemplar_failed_evaluations) AS exemplar_failed_evaluations,
    groupUniqArrayArray(10)(exemplar_slowest) AS exemplar_slowest,
    groupUniqArrayArray(10)(exemplar_most_expensive) AS exemplar_most_expensive,
    sum(tasks) AS tasks,
    sum(successful) AS successful,
    sum(failed) AS failed,
    sum(rescued) AS rescued,
    sum(incomplete) AS incomplete,
    sumMap(cost_per_success_bins) AS cost_per_success_bins,
    sum(cost_per_success_zero_count) AS cost_per_success_zero_count,
    sum(cost_success_sum) AS cost_success_sum
FROM {{database}}.metrics_1m
GROUP BY window_start, level, group_id, tenant_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.metrics_1d_mv {{on_cluster}} TO {{database}}.metrics_1d
AS SELECT
    toStartOfDay(toDateTime(window_start, 'UTC')) AS window_start,
    level,
    group_id,
    tenant_id,
    any(dimensions) AS dimensions,
    any(environment) AS environment,
    any(service_name) AS service_name,
    any(feature_name) AS feature_name,
    any(kind) AS kind,
    any(span_name) AS span_name,
    any(prompt_name) AS prompt_name,
    any(prompt_version) AS prompt_version,
    any(model_provider) AS model_provider,
    any(model_name) AS model_name,
    any(app_version) AS app_version,
    any(overflow) AS overflow,
    toUInt64(count()) AS windows,
    sum(observations) AS observations,
    sum(latency_sum_ms) AS latency_sum_ms,
    min(latency_min_ms) AS latency_min_ms,
    max(latency_max_ms) AS latency_max_ms,
    sumMap(latency_bins) AS latency_bins,
    sum(latency_zero_count) AS latency_zero_count,
    sum(error_count) AS error_count,
    sum(timeouts) AS timeouts,
    sum(retries) AS retries,
    sum(fallbacks) AS fallbacks,
    sum(rate_limited) AS rate_limited,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(cache_write_tokens) AS cache_write_tokens,
    sum(cost_sum) AS cost_sum,
    sum(priced_count) AS priced_count,
    sum(unknown_cost_count) AS unknown_cost_count,
    sumMap(cost_bins) AS cost_bins,
    sum(cost_zero_count) AS cost_zero_count,
    sumMap(eval_passed) AS eval_passed,
    sumMap(eval_failed) AS eval_failed,
    sumMap(eval_score_sum) AS eval_score_sum,
    sumMap(eval_score_count) AS eval_score_count,
    sum(positive_feedback) AS positive_feedback,
    sum(negative_feedback) AS negative_feedback,
    sum(json_parse_failures) AS json_parse_failures,
    sum(schema_validation_failures) AS schema_validation_failures,
    sum(tool_call_failures) AS tool_call_failures,
    sum(tool_argument_failures) AS tool_argument_failures,
    sum(citation_coverage_sum) AS citation_coverage_sum,
    sum(citation_coverage_count) AS citation_coverage_count,
    sumMap(policy_failures_by_severity) AS policy_failures_by_severity,
    groupUniqArrayArray(10)(exemplar_errors) AS exemplar_errors,
    groupUniqArrayArray(10)(exemplar_failed_evaluations) AS exemplar_failed_evaluations,
    groupUniqArrayArray(10)(exemplar_slowest) AS exemplar_slowest,
    groupUniqArrayArray(10)(exemplar_most_expensive) AS exemplar_most_expensive,
    sum(tasks) AS tasks,
    sum(successful) AS successful,
    sum(failed) AS failed,
    sum(rescued) AS rescued,
    sum(incomplete) AS incomplete,
    sumMap(cost_per_success_bins) AS cost_per_success_bins,
    sum(cost_per_success_zero_count) AS cost_per_success_zero_count,
    sum(cost_success_sum) AS cost_success_sum
FROM {{database}}.metrics_1m
GROUP BY window_start, level, group_id, tenant_id;

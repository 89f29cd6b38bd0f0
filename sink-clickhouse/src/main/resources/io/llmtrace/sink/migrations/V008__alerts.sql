-- One row per alert event (AlertEvent from llm.alerts): an episode of one rule and group is a FIRING
-- event, zero or more RENOTIFY reminders and, once it ends, a RESOLVED event, all with the same alert_id.
-- Columns follow AlertEvent field by field (enums as their symbol); the tenant, environment and feature
-- of the group are MATERIALIZED from group_dimensions, as metrics_1m does with its dimensions.
--
-- Plain MergeTree, not Replacing: an event is a fact that never gets a newer version, and every question
-- is about episodes (alert_episodes below folds the events of one), so no row replaces another. Exactly
-- once as for spans (V001): the sink inserts each batch of offsets [F, L] with the token
-- <topic>-<partition>-F-L and the table remembers the last {{dedup_window}} tokens, so a batch re-sent
-- after a crash or an unknown outcome is dropped by ClickHouse; (kafka_partition, kafka_offset) is
-- unique per row (count() = uniqExact(kafka_partition, kafka_offset) proves it). The alert stage writes
-- each event once (exactly_once_v2). An event that still reaches the table twice (a stage reset and
-- replayed) is a second row with the same alert_id, state and notification: alert_episodes counts
-- episodes, takes first/last times and the highest notification, so such a copy changes none of its
-- answers.
--
-- ORDER BY (rule_id, alert_id, fired_at): analysts start from a rule ("how often did this fire, how long
-- did it take to resolve"), and the events of one episode sit next to each other in fired_at order, which
-- is how alert_episodes reads them. Not tenant first, unlike the span tables: a rule may watch every
-- tenant (a cross-tenant rule's group has no tenant_id: tenant_id is '' and only the cross-tenant roles
-- see it), the table is small (a row per state change, not per measurement), and the tenant row policies
-- filter on the materialized column. Month partitions: a day's alerts are too few rows for a part of
-- their own; the row TTL drops whole months once their newest event is older than {{row_ttl_days}} days.
CREATE TABLE IF NOT EXISTS {{database}}.alerts {{on_cluster}}
(
    alert_id          String COMMENT 'Episode id: the same on its FIRING, RENOTIFY and RESOLVED events' CODEC(ZSTD(1)),
    rule_id           LowCardinality(String),
    rule_name         LowCardinality(String),
    rule_kind         LowCardinality(String) COMMENT 'threshold, baseline, version_regression or immediate',
    state             LowCardinality(String) COMMENT 'FIRING (once, the episode starts), RENOTIFY (a reminder), RESOLVED (once, it ends)',
    severity          LowCardinality(String) COMMENT 'PAGE (wake someone), NOTIFY (business hours), REVIEW; INFO, WARNING, CRITICAL from earlier writers',
    owner             LowCardinality(Nullable(String)) COMMENT 'Team or person that owns the rule',
    runbook_url       Nullable(String) CODEC(ZSTD(1)),
    action            Nullable(String) COMMENT 'What the receiver should do first' CODEC(ZSTD(3)),
    metric_name       LowCardinality(Nullable(String)),
    group_dimensions  Map(LowCardinality(String), String) COMMENT 'The group the episode is about, e.g. tenant_id and feature_name',
    tenant_id         LowCardinality(String) MATERIALIZED group_dimensions['tenant_id']
                      COMMENT 'The group''s tenant; empty for a rule over every tenant (only cross-tenant roles see those rows)',
    environment       LowCardinality(String) MATERIALIZED group_dimensions['environment'],
    feature_name      LowCardinality(String) MATERIALIZED group_dimensions['feature_name'],
    measured_value    Float64 COMMENT 'Observed over the evaluated window (baseline rules: the current window''s value)',
    comparator        LowCardinality(Nullable(String)) COMMENT '>, >=, <, <=; baseline and version rules compare the ratio to the baseline',
    threshold         Float64,
    baseline_value    Nullable(Float64) COMMENT 'The baseline''s value (baseline and version-regression rules); NULL for plain thresholds',
    baseline          LowCardinality(Nullable(String)) COMMENT 'day_before, prior_7d_mean, previous_24h, before_release, previous_version',
    evaluation_window LowCardinality(Nullable(String)) COMMENT 'The rule''s window as configured: 15m, 1d, 500 calls',
    volume            Int64 COMMENT 'Observations the value was computed over (calls, evaluations, tasks, events)',
    window_start      DateTime64(6, 'UTC'),
    window_end        DateTime64(6, 'UTC'),
    example_trace_ids Array(String) COMMENT 'A few traces that contributed to the breach (the worst offenders)' CODEC(ZSTD(1)),
    fired_at          DateTime64(6, 'UTC') COMMENT 'When the stage emitted this event' CODEC(Delta, ZSTD(1)),
    started_at        Nullable(DateTime64(6, 'UTC')) COMMENT 'Event time the condition started to hold (start of pending)',
    resolved_at       Nullable(DateTime64(6, 'UTC')) COMMENT 'Event time the episode ended (RESOLVED events)',
    summary           Nullable(String) COMMENT 'One line for humans: what crossed which line, over what, for which group' CODEC(ZSTD(3)),
    release           LowCardinality(Nullable(String)) COMMENT 'Release or prompt version a before-release or version rule compared, e.g. app_version=2026.06.2',
    notification      Int32 COMMENT '0 on FIRING, 1, 2, ... on each RENOTIFY, the count so far on RESOLVED',
    kafka_partition   Int32,
    kafka_offset      Int64,
    inserted_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{engine_prefix}}MergeTree
PARTITION BY toYYYYMM(fired_at)
ORDER BY (rule_id, alert_id, fired_at)
TTL toDateTime(fired_at) + INTERVAL {{row_ttl_days}} DAY
SETTINGS ttl_only_drop_parts = 1, {{dedup_window_setting}} = {{dedup_window}};

-- One row per episode, folded from its events when read (a plain view: alerts hold a row per state change,
-- so reading all of them is cheap). The rule, owner, group, value and examples are those of the episode's
-- latest event (a reminder carries the value as it stands now; the RESOLVED event comes last); the times are
-- the episode's: firing_at is its FIRING's emission time, resolved_event_at its RESOLVED's, and
-- minutes_to_resolve the difference (NULL while open). An episode whose FIRING row aged out while it kept
-- firing (longer than the row TTL) is still open, from its oldest reminder. Duplicated events change nothing:
-- the latest row is one row (LIMIT 1 BY), times are min/max, notifications the highest.
-- SQL SECURITY INVOKER: the reader's grants and row policies on alerts apply (a tenant sees its episodes
-- only), not those of whoever created the view.
CREATE VIEW IF NOT EXISTS {{database}}.alert_episodes {{on_cluster}}
SQL SECURITY INVOKER
AS SELECT
    alert_id,
    tenant_id,
    environment,
    feature_name,
    rule_id,
    rule_name,
    rule_kind,
    severity,
    owner,
    runbook_url,
    action,
    metric_name,
    group_dimensions,
    measured_value,
    comparator,
    threshold,
    baseline_value,
    baseline,
    evaluation_window,
    volume,
    example_trace_ids,
    summary,
    release,
    state AS last_state,
    resolved_event_at IS NOT NULL AS resolved,
    ifNull(firing_event_at, first_event_at) AS firing_at,
    condition_started_at AS started_at,
    fired_at AS last_event_at,
    resolved_event_at,
    condition_resolved_at AS resolved_at,
    round(dateDiff('microsecond', firing_event_at, resolved_event_at) / 60e6, 2) AS minutes_to_resolve,
    notifications
FROM
(
    SELECT
        alert_id, tenant_id, environment, feature_name, rule_id, rule_name, rule_kind, severity, owner, runbook_url,
        action, metric_name, group_dimensions, measured_value, comparator, threshold, baseline_value, baseline,
        evaluation_window, volume, example_trace_ids, summary, release, state, fired_at,
        min(fired_at) OVER episode AS first_event_at,
        minIf(toNullable(fired_at), state = 'FIRING') OVER episode AS firing_event_at,
        maxIf(toNullable(fired_at), state = 'RESOLVED') OVER episode AS resolved_event_at,
        min(started_at) OVER episode AS condition_started_at,
        max(resolved_at) OVER episode AS condition_resolved_at,
        max(notification) OVER episode AS notifications
    FROM {{database}}.alerts
    WINDOW episode AS (PARTITION BY alert_id)
    ORDER BY fired_at DESC, state = 'RESOLVED' DESC, notification DESC, kafka_offset DESC
    LIMIT 1 BY alert_id
);

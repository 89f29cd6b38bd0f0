package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewPriority;
import io.llmtrace.schemas.avro.ReviewStatus;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.Migrations;
import io.llmtrace.sink.mapping.AlertRows;
import io.llmtrace.sink.mapping.ReleaseRows;
import io.llmtrace.sink.mapping.ReviewRows;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink as {@link ClickHouseSink#start(SinkConfig)} wires it, reading AlertEvent, ReleaseMarker and
 * ReviewItem records from real topics: each record becomes one row equal to it (read back through the
 * record's schema), copies of a release collapse, a review item's DECIDED version replaces its OPEN one,
 * a batch re-sent with its token is dropped by each of the three tables, and records that cannot be rows
 * become dead letters while the streams go on.
 */
@ExtendWith(LocalStackExtension.class)
class AlertReleaseReviewSinkIT {

  /** An hour ago, whole microseconds: inside every row TTL. */
  static final Instant RECENT = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS).plusNanos(123_000);

  @Test
  void writesEachRecordAsARowEqualToItAndKeepsTheNewestReleaseAndReviewVersion(StackEndpoints stack, TestNames names) throws Exception {
    // Given an episode (FIRING, RENOTIFY, RESOLVED) of the fully populated alert, a minimal alert and one with odd text
    Topics topics = Topics.create(stack, names);
    AlertEvent resolved = AlertEvent.newBuilder(moved(TestRecords.alertEvent())).setNotification(1).build();
    AlertEvent firing = AlertEvent.newBuilder(resolved).setState(AlertState.FIRING).setResolvedAt(null).setNotification(0)
        .setFiredAt(resolved.getFiredAt().minusSeconds(600)).build();
    AlertEvent reminder = AlertEvent.newBuilder(firing).setState(AlertState.RENOTIFY).setNotification(1)
        .setFiredAt(resolved.getFiredAt().minusSeconds(300)).build();
    AlertEvent minimal = AlertEvent.newBuilder().setAlertId("minimal").setRuleId("r").setRuleName("r").setSeverity(AlertSeverity.REVIEW)
        .setMeasuredValue(1).setThreshold(0).setWindowStart(RECENT).setWindowEnd(RECENT).setFiredAt(RECENT).build();
    AlertEvent odd = AlertEvent.newBuilder(minimal).setAlertId("odd \"quoted\" \\ tab\t ✓ 𝄞").setSummary("résumé ключ")
        .setGroupDimensions(Map.of("tenant_id", "globex", "", "empty key")).build();
    List<AlertEvent> alerts = List.of(firing, reminder, resolved, minimal, odd);
    // release markers: a full one sent twice (the second accepted later, with a corrected note) and a minimal one
    ReleaseMarker release = ReleaseMarker.newBuilder().setReleaseId("rel-1").setTenantId("acme").setServiceName("support-api")
        .setEnvironment("production").setAppVersion("2026.06.2").setPromptName("support_answer").setPromptVersion("v35")
        .setReleasedAt(RECENT).setReleasedBy("team-support-ai").setNote("CHG-1").setReceivedAt(RECENT.plusSeconds(1)).build();
    ReleaseMarker corrected = ReleaseMarker.newBuilder(release).setNote("CHG-1042").setReceivedAt(RECENT.plusSeconds(30)).build();
    ReleaseMarker minimalRelease = ReleaseMarker.newBuilder().setReleaseId("rel-2").setTenantId("acme").setServiceName("billing-api")
        .setReleasedAt(RECENT).setReceivedAt(RECENT).build();
    // review items: one queued and then decided with every field set, and one written without an item id, queued and decided
    ReviewItem open = ReviewItem.newBuilder(TestRecords.reviewItem()).setItemId("acme/trace-1/failed_evaluation")
        .setStatus(ReviewStatus.OPEN).setCreatedAt(RECENT).setDetail("evaluator answer_cites_source failed (score 0.41)")
        .setEnvironment("production").setServiceName("support-api").setFeatureName("support_chatbot").setPromptName("support_answer")
        .setPromptVersion("v35").setModelName("claude-sonnet-4").setTraceStartTime(RECENT.minusSeconds(5)).setSampleRate(0.25)
        .setAlertId(resolved.getAlertId()).setDecisionLabel(null).setDecisionNote(null).setReviewer(null).setDecidedAt(null)
        .setVersion(1).build();
    ReviewItem decided = ReviewItem.newBuilder(open).setStatus(ReviewStatus.DECIDED).setDecisionLabel("hallucinated")
        .setDecisionNote("cites a source it did not retrieve").setReviewer("rev-a").setDecidedAt(RECENT.plusSeconds(600)).setVersion(2).build();
    ReviewItem legacy = ReviewItem.newBuilder().setTraceId("trace-2").setTenantId("acme").setReason("negative_feedback")
        .setCreatedAt(RECENT).build();
    ReviewItem legacyDecided = ReviewItem.newBuilder(legacy).setStatus(ReviewStatus.DECIDED).setDecisionLabel("correct").setVersion(2).build();
    topics.produce(alerts, List.of(release, minimalRelease), List.of(open, legacy));

    // When the sink runs with the pipeline's mappings
    try (ClickHouseSink sink = ClickHouseSink.start(topics.config())) {
      SinkFixture fixture = topics.fixture;
      Await.until(Duration.ofSeconds(60), "5 alerts, 2 releases, 2 review items", () -> fixture.count("SELECT count() FROM alerts") >= 5
          && fixture.count("SELECT count() FROM releases") >= 2 && fixture.count("SELECT count() FROM review_queue") >= 2);

      // Then each record is one row that reads back as the record; the group's tenant and feature are columns
      assertThat(readAll(fixture, "SELECT * FROM alerts", AlertEvent.class)).containsExactlyInAnyOrderElementsOf(alerts);
      assertThat(fixture.rows("SELECT tenant_id, feature_name FROM alerts WHERE alert_id = '" + resolved.getAlertId() + "' LIMIT 1"))
          .extracting(row -> row.get("tenant_id").asText() + "/" + row.get("feature_name").asText())
          .containsExactly(resolved.getGroupDimensions().get("tenant_id") + "/support_chatbot");
      assertThat(fixture.count("SELECT count() FROM alerts WHERE tenant_id = ''")).as("a rule over every tenant").isEqualTo(1);
      assertThat(readAll(fixture, "SELECT * FROM releases", ReleaseMarker.class)).containsExactlyInAnyOrder(release, minimalRelease);
      assertThat(readAll(fixture, "SELECT * FROM review_queue", ReviewItem.class))
          .containsExactlyInAnyOrder(open, ReviewItem.newBuilder(legacy).setItemId("trace-2/negative_feedback").build());
      for (String table : List.of("alerts", "releases", "review_queue")) {
        assertThat(fixture.count("SELECT count() = uniqExact(kafka_partition, kafka_offset) FROM " + table)).as(table).isEqualTo(1);
      }
      // and the episode view folds the three events of the episode into one row
      JsonNode episode = fixture.rows("SELECT * FROM alert_episodes WHERE alert_id = '" + resolved.getAlertId() + "'").get(0);
      assertThat(episode.get("last_state").asText() + " resolved=" + episode.get("resolved").asBoolean() + " after "
          + episode.get("minutes_to_resolve").asDouble() + " min, " + episode.get("notifications").asInt() + " reminder")
          .isEqualTo("RESOLVED resolved=true after 10.0 min, 1 reminder");
      String metrics = SinkFixture.get("http://127.0.0.1:" + sink.adminPort() + "/metrics");
      assertThat(metrics).contains("llmtrace_sink_rows_written_total{table=\"alerts\"} 5.0",
          "llmtrace_sink_rows_written_total{table=\"releases\"} 2.0", "llmtrace_sink_rows_written_total{table=\"review_queue\"} 2.0");
      assertThat(SinkFixture.get("http://127.0.0.1:" + sink.adminPort() + "/health"))
          .contains("\"status\":\"UP\"", "\"table\":\"alerts\"", "\"table\":\"releases\"", "\"table\":\"review_queue\"");

      // When the corrected release and the decisions follow, in later inserts
      topics.produce(List.of(), List.of(corrected), List.of(decided, legacyDecided));
      Await.until(Duration.ofSeconds(60), "the second release copy and both decisions",
          () -> fixture.count("SELECT count() FROM releases") >= 3 && fixture.count("SELECT count() FROM review_queue") >= 4);

      // Then FINAL reads the copy accepted last and each item as its decided version
      assertThat(readAll(fixture, "SELECT * FROM releases FINAL", ReleaseMarker.class)).containsExactlyInAnyOrder(corrected, minimalRelease);
      assertThat(readAll(fixture, "SELECT * FROM review_queue FINAL", ReviewItem.class))
          .containsExactlyInAnyOrder(decided, ReviewItem.newBuilder(legacyDecided).setItemId("trace-2/negative_feedback").build());
      assertThat(fixture.count("SELECT count() FROM review_queue FINAL WHERE status = 'OPEN'")).isZero();
    }

    String ddl = ddl(topics, "review_queue");
    assertThat(ddl).contains("ENGINE = ReplacingMergeTree(version)", "ORDER BY (tenant_id, item_id)", "TTL toDateTime(created_at) + toIntervalDay(90)",
        "non_replicated_deduplication_window = 1000", "`status` LowCardinality(String)", "`version` UInt32")
        .doesNotContain("PARTITION BY");
    assertThat(ddl(topics, "alerts")).contains("ENGINE = MergeTree", "PARTITION BY toYYYYMM(fired_at)", "ORDER BY (rule_id, alert_id, fired_at)",
        "`tenant_id` LowCardinality(String) MATERIALIZED group_dimensions['tenant_id']", "non_replicated_deduplication_window = 1000");
    assertThat(ddl(topics, "releases")).contains("ENGINE = ReplacingMergeTree(received_at)", "ORDER BY (tenant_id, release_id)",
        "non_replicated_deduplication_window = 1000").doesNotContain("TTL");
  }

  private static String ddl(Topics topics, String table) {
    return topics.fixture.rows("SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = '" + table + "'")
        .get(0).get("create_table_query").asText();
  }

  @Test
  void recordsThatAreNoRowsBecomeDeadLettersAndTheStreamsContinue(StackEndpoints stack, TestNames names) throws Exception {
    // Given on each topic a record that cannot be a row between two good ones, and a review item on the alerts topic
    Topics topics = Topics.create(stack, names);
    AlertEvent alert = moved(TestRecords.alertEvent());
    ReleaseMarker release = ReleaseMarker.newBuilder().setReleaseId("rel-1").setTenantId("acme").setServiceName("support-api")
        .setReleasedAt(RECENT).setReceivedAt(RECENT).build();
    ReviewItem item = ReviewItem.newBuilder(TestRecords.reviewItem()).setItemId("item-1").setCreatedAt(RECENT).build();
    // one key on the alerts topic, so the four records are offsets 0..3 of one partition
    topics.fixture.produceRecords(topics.alerts, List.of(alert, AlertEvent.newBuilder(alert).setAlertId("").build()), a -> "k");
    topics.fixture.produceRecords(topics.alerts, List.of(item), i -> "k");
    topics.fixture.produceRecords(topics.alerts, List.of(AlertEvent.newBuilder(alert).setAlertId("after").build()), a -> "k");
    topics.produce(List.of(), List.of(release, ReleaseMarker.newBuilder(release).setTenantId("").build(),
        ReleaseMarker.newBuilder(release).setReleaseId("after").build()), List.of(item,
        ReviewItem.newBuilder(item).setVersion(0).build(), ReviewItem.newBuilder(item).setTenantId("").build(),
        ReviewItem.newBuilder(item).setItemId("after").build()));

    try (ClickHouseSink sink = ClickHouseSink.start(topics.config())) {
      SinkFixture fixture = topics.fixture;
      Await.until(Duration.ofSeconds(60), "6 rows and 5 dead letters", () -> fixture.count("SELECT count() FROM alerts")
          + fixture.count("SELECT count() FROM releases") + fixture.count("SELECT count() FROM review_queue") >= 6
          && fixture.count("SELECT count() FROM dead_letters") >= 5);
      assertThat(fixture.rows("SELECT alert_id FROM alerts ORDER BY alert_id")).extracting(row -> row.get("alert_id").asText())
          .containsExactly("after", alert.getAlertId());
      assertThat(fixture.rows("SELECT release_id FROM releases ORDER BY release_id")).extracting(row -> row.get("release_id").asText())
          .containsExactly("after", "rel-1");
      assertThat(fixture.rows("SELECT item_id FROM review_queue ORDER BY item_id")).extracting(row -> row.get("item_id").asText())
          .containsExactly("after", "item-1");
      assertThat(fixture.rows("SELECT target_table, offset, error_class, reason FROM dead_letters ORDER BY target_table, offset"))
          .extracting(row -> row.get("target_table").asText() + " " + row.get("offset").asLong() + " " + row.get("error_class").asText())
          .containsExactly("alerts 1 unmappable", "alerts 2 undecodable", "releases 1 unmappable", "review_queue 1 unmappable",
              "review_queue 2 unmappable");
      assertThat(fixture.rows("SELECT reason FROM dead_letters WHERE error_class = 'unmappable' ORDER BY target_table, offset"))
          .extracting(row -> row.get("reason").asText())
          .satisfiesExactly(reason -> assertThat(reason).contains("both must be set"),
              reason -> assertThat(reason).contains("both the release id and the tenant must be set"),
              reason -> assertThat(reason).contains("item-1 has version 0"),
              reason -> assertThat(reason).contains("has no tenant_id"));
      assertThat(SinkFixture.get("http://127.0.0.1:" + sink.adminPort() + "/metrics"))
          .contains("llmtrace_sink_dead_letters_total{error_class=\"undecodable\",table=\"alerts\"} 1.0",
              "llmtrace_sink_dead_letters_total{error_class=\"unmappable\",table=\"review_queue\"} 2.0");
    }
  }

  @Test
  void aBatchReSentWithItsTokenIsDroppedByEachTable(StackEndpoints stack, TestNames names) throws Exception {
    // Given the tables, and one batch of each inserted with the token the sink would give it
    SinkFixture fixture = new SinkFixture(stack, "unused", names.table("db"), "unused");
    SinkConfig.ClickHouse config = fixture.config(Map.of()).clickhouse();
    AlertEvent alert = moved(TestRecords.alertEvent());
    List<AlertEvent> alerts = List.of(alert, AlertEvent.newBuilder(alert).setState(AlertState.RENOTIFY).setNotification(1).build());
    List<ReleaseMarker> releases = List.of(ReleaseMarker.newBuilder().setReleaseId("rel-1").setTenantId("acme").setServiceName("api")
        .setReleasedAt(RECENT).setReceivedAt(RECENT).build());
    List<ReviewItem> items = List.of(ReviewItem.newBuilder(TestRecords.reviewItem()).setItemId("item-1").setCreatedAt(RECENT)
        .setPriority(ReviewPriority.URGENT).build());
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      new Migrations(target, config).apply();
      // When each batch is sent twice with the same token (the sink's retry after an unknown outcome, or a rebuilt batch)
      for (int attempt = 0; attempt < 2; attempt++) {
        CookbookQueries.insert(target, "alerts", AlertRows.COLUMNS, AlertRows::encode, alerts, 10);
        CookbookQueries.insert(target, "releases", ReleaseRows.COLUMNS, ReleaseRows::encode, releases, 10);
        CookbookQueries.insert(target, "review_queue", ReviewRows.COLUMNS, ReviewRows::encode, items, 10);
      }
    }
    // Then every table has the rows once (alerts is a plain MergeTree: only the token keeps the copy out)
    assertThat(fixture.count("SELECT count() FROM alerts")).isEqualTo(2);
    assertThat(fixture.count("SELECT count() FROM releases")).isEqualTo(1);
    assertThat(fixture.count("SELECT count() FROM review_queue")).isEqualTo(1);
  }

  /** The alert with every time moved so that it fired {@link #RECENT}, so the row TTL keeps it. */
  static AlertEvent moved(AlertEvent alert) {
    Duration shift = Duration.between(alert.getFiredAt(), RECENT);
    return AlertEvent.newBuilder(alert).setWindowStart(alert.getWindowStart().plus(shift)).setWindowEnd(alert.getWindowEnd().plus(shift))
        .setFiredAt(RECENT).setStartedAt(alert.getWindowStart().plus(shift)).setResolvedAt(RECENT.minusSeconds(1)).build();
  }

  private static <T extends SpecificRecord> List<T> readAll(SinkFixture fixture, String sql, Class<T> type) {
    List<T> rows = new ArrayList<>();
    for (JsonNode row : fixture.rows(sql)) {
      rows.add(AvroRowReader.read(row, type));
    }
    return rows;
  }

  /** The test's topics (every one the sink reads exists), its database, and the sink's settings for them. */
  record Topics(SinkFixture fixture, String alerts, String releases, String review, Map<String, String> settings) {

    static Topics create(StackEndpoints stack, TestNames names) throws Exception {
      SinkFixture fixture = new SinkFixture(stack, names.topic("spans"), names.table("db"), names.group("sink"));
      Topics topics = new Topics(fixture, names.topic("alerts"), names.topic("releases"), names.topic("review"), Map.of(
          "llmtrace.topics.traces", names.topic("traces"), "llmtrace.topics.metrics", names.topic("metrics"),
          "llmtrace.topics.alerts", names.topic("alerts"), "llmtrace.topics.releases", names.topic("releases"),
          "llmtrace.topics.review", names.topic("review")));
      fixture.createTopics(1, fixture.topic, names.topic("traces"), names.topic("metrics"), topics.releases);
      fixture.createTopics(2, topics.alerts, topics.review);
      return topics;
    }

    SinkConfig config() {
      return fixture.config(settings);
    }

    /** Produces the records keyed as their producers key them: alert id, tenant/service, trace id. */
    void produce(List<AlertEvent> alertEvents, List<ReleaseMarker> markers, List<ReviewItem> items) throws Exception {
      if (!alertEvents.isEmpty()) {
        fixture.produceRecords(alerts, alertEvents, AlertEvent::getAlertId);
      }
      if (!markers.isEmpty()) {
        fixture.produceRecords(releases, markers, marker -> marker.getTenantId() + "/" + marker.getServiceName());
      }
      if (!items.isEmpty()) {
        fixture.produceRecords(review, items, ReviewItem::getTraceId);
      }
    }
  }
}

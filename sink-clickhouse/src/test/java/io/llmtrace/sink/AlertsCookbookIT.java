package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.mapping.AlertRows;
import io.llmtrace.sink.mapping.ReleaseRows;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code alerts_*} and {@code releases_*} queries of {@code deploy/clickhouse/queries} on alert events
 * and release markers with known answers. Times count from the last midnight M; the range queried is
 * [M - 1 h, M + 1 h). Episodes of tenant acme: p95-latency-support (PAGE, team-support-ai) resolved after
 * 40 (reminded twice), 10 and 5 minutes and one still firing (reminded once); eval-pass-rate-drop (NOTIFY,
 * team-quality, a baseline rule) resolved after 60 minutes, after the range, and one still firing whose
 * FIRING event was delivered twice; tool-error-rate (WARNING, no owner) resolved after 3 minutes; an
 * episode of p95-latency-support two hours before the range. Globex has a redaction failure still firing.
 * Releases: the support API's in production and canary, a prompt-only release, a marker sent twice with a
 * corrected note (the correction inserted first), another service, another tenant, one before the range.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertsCookbookIT {

  static final Rule LATENCY = new Rule("p95-latency-support", "p95 latency above 8 s for 10 minutes", "team-support-ai",
      AlertSeverity.PAGE, "threshold");
  static final Rule PASS_RATE = new Rule("eval-pass-rate-drop", "Eval pass rate 10% below its 7-day mean", "team-quality",
      AlertSeverity.NOTIFY, "baseline");
  static final Rule TOOL_ERRORS = new Rule("tool-error-rate", "Tool error rate above 5%", null, AlertSeverity.WARNING, "threshold");
  static final Rule REDACTION = new Rule("redaction_failure", "Redaction failure: a canary survived redaction", "security",
      AlertSeverity.PAGE, "immediate");

  record Rule(String id, String name, String owner, AlertSeverity severity, String kind) {}

  private final Instant midnight = Instant.now().truncatedTo(ChronoUnit.DAYS);
  private SinkFixture fixture;
  private CookbookQueries queries;

  @BeforeAll
  void loadFixture(StackEndpoints stack, TestNames names) throws ClickHouseTarget.InsertException {
    queries = CookbookQueries.create(stack, names.table("alerts_cookbook"), rows -> {
      // an episode's events sit in different parts, as they are written minutes apart
      rows.insert("alerts", AlertRows.COLUMNS, AlertRows::encode, alertInserts());
      rows.insert("releases", ReleaseRows.COLUMNS, ReleaseRows::encode, releaseInserts());
    });
    fixture = queries.fixture();
  }

  List<List<AlertEvent>> alertInserts() {
    AlertEvent stillPending = event(PASS_RATE, "e5", AlertState.FIRING, -40, 0, 0.80).build();
    List<AlertEvent> first = List.of(
        event(LATENCY, "e0", AlertState.FIRING, -180, 0, 8_200).build(),
        event(LATENCY, "e0", AlertState.RESOLVED, -170, 0, 7_000).build(),
        event(LATENCY, "e1", AlertState.FIRING, -50, 0, 8_400).build(),
        event(LATENCY, "e1", AlertState.RENOTIFY, -35, 1, 8_800).build(),
        event(PASS_RATE, "e4", AlertState.FIRING, -45, 0, 0.81).build(),
        stillPending,
        event(TOOL_ERRORS, "e8", AlertState.FIRING, -55, 0, 0.07).setGroupDimensions(group("acme", "refund_agent")).build(),
        event(TOOL_ERRORS, "e8", AlertState.RESOLVED, -52, 0, 0.02).setGroupDimensions(group("acme", "refund_agent")).build());
    List<AlertEvent> second = List.of(
        event(LATENCY, "e1", AlertState.RENOTIFY, -20, 2, 9_100).build(),
        event(LATENCY, "e1", AlertState.RESOLVED, -10, 2, 7_600).build(),
        event(LATENCY, "e3", AlertState.FIRING, -30, 0, 8_100).build(),
        event(LATENCY, "e3", AlertState.RESOLVED, -20, 0, 7_900).build(),
        event(LATENCY, "e7", AlertState.FIRING, -25, 0, 9_000).setGroupDimensions(group("acme", "invoice_extraction")).build(),
        event(LATENCY, "e7", AlertState.RESOLVED, -20, 0, 6_000).setGroupDimensions(group("acme", "invoice_extraction")).build(),
        event(LATENCY, "e2", AlertState.FIRING, -5, 0, 8_300).build(),
        event(REDACTION, "e6", AlertState.FIRING, -15, 0, 1).setGroupDimensions(Map.of("tenant_id", "globex")).build());
    // e5's FIRING delivered a second time (a replayed stage), e4 resolving after the range
    List<AlertEvent> third = List.of(
        event(LATENCY, "e2", AlertState.RENOTIFY, 5, 1, 9_600).setExampleTraceIds(List.of("t-slow-3", "t-slow-4")).build(),
        stillPending,
        event(PASS_RATE, "e4", AlertState.RESOLVED, 75, 0, 0.93).build());
    return List.of(first, second, third);
  }

  /** An event of the rule's episode {@code episode} for the support chatbot of acme, emitted at M + minute. */
  AlertEvent.Builder event(Rule rule, String episode, AlertState state, long minute, int notification, double value) {
    Instant at = minutes(minute);
    AlertEvent.Builder event = AlertEvent.newBuilder(TestRecords.alertEvent()).setAlertId(rule.id() + "/" + episode)
        .setRuleId(rule.id()).setRuleName(rule.name()).setOwner(rule.owner()).setSeverity(rule.severity()).setRuleKind(rule.kind())
        .setState(state).setNotification(notification).setMeasuredValue(value).setGroupDimensions(group("acme", "support_chatbot"))
        .setWindowStart(at.minus(Duration.ofMinutes(10))).setWindowEnd(at).setFiredAt(at).setExampleTraceIds(List.of("t-" + episode))
        .setStartedAt(at.minus(Duration.ofMinutes(2))).setResolvedAt(state == AlertState.RESOLVED ? at.minusSeconds(30) : null);
    if (rule == PASS_RATE) {
      event.setComparator("<").setThreshold(0.9).setBaselineValue(0.94).setBaseline("prior_7d_mean").setMetricName("eval_pass_rate")
          .setEvaluationWindow("1h").setVolume(400);
    } else {
      event.setComparator(">").setThreshold(rule == LATENCY ? 8_000 : rule == TOOL_ERRORS ? 0.05 : 0).setBaselineValue(null)
          .setBaseline(null);
    }
    return event;
  }

  static Map<String, String> group(String tenant, String feature) {
    return Map.of("tenant_id", tenant, "feature_name", feature);
  }

  List<List<ReleaseMarker>> releaseInserts() {
    ReleaseMarker twice = release("rel-2", "support-api", "production", "2026.06.2", -30).setNote("CHG-1").build();
    // the corrected copy (accepted a minute later) reaches the table first: received_at decides, not arrival
    List<ReleaseMarker> first = List.of(
        ReleaseMarker.newBuilder(twice).setNote("CHG-1042").setReceivedAt(twice.getReceivedAt().plusSeconds(60)).build(),
        release("rel-1", "support-api", "production", "2026.06.1", -20 * 60).build(),
        release("rel-3", "support-api", "canary", "2026.06.3", -10).build(),
        release("rel-4", "support-api", "production", null, -15).setPromptName("support_answer").setPromptVersion("v35").build(),
        release("rel-5", "billing-api", "production", "2026.06.7", -40).build(),
        release("rel-6", "support-api", "production", "2026.06.2", -35).setTenantId("globex").build(),
        release("rel-0", "support-api", "production", "2026.05.9", -3 * 24 * 60).build());
    return List.of(first, List.of(twice));
  }

  ReleaseMarker.Builder release(String id, String service, String environment, String appVersion, long minute) {
    return ReleaseMarker.newBuilder().setReleaseId(id).setTenantId("acme").setServiceName(service).setEnvironment(environment)
        .setAppVersion(appVersion).setReleasedAt(minutes(minute)).setReleasedBy("team-support-ai").setNote(null)
        .setReceivedAt(minutes(minute).plusSeconds(2));
  }

  Instant minutes(long offset) {
    return midnight.plus(Duration.ofMinutes(offset));
  }

  String[] range(String... more) {
    String[] parameters = {"tenant", "acme", "since", CookbookQueries.time(minutes(-60)), "until", CookbookQueries.time(minutes(60))};
    String[] all = Arrays.copyOf(parameters, parameters.length + more.length);
    System.arraycopy(more, 0, all, parameters.length, more.length);
    return all;
  }

  static List<String> ids(List<JsonNode> rows) {
    return rows.stream().map(row -> row.get("alert_id").asText()).toList();
  }

  @Test
  void openEpisodesAreThoseWithoutAResolvedEventEachOnceAsOfItsLatestEvent() {
    List<JsonNode> rows = queries.run("alerts_open_episodes.sql", "tenant", "acme", "owner", "");
    assertThat(ids(rows)).as("PAGE before NOTIFY; e5 once although its FIRING was delivered twice")
        .containsExactly("p95-latency-support/e2", "eval-pass-rate-drop/e5");
    JsonNode latency = rows.get(0);
    assertThat(latency.get("rule_name").asText()).isEqualTo(LATENCY.name());
    assertThat(latency.get("severity").asText() + " " + latency.get("owner").asText()).isEqualTo("PAGE team-support-ai");
    assertThat(latency.get("group_dimensions").get("feature_name").asText()).isEqualTo("support_chatbot");
    assertThat(latency.get("measured_value").asDouble() + " " + latency.get("comparator").asText() + " "
        + latency.get("threshold").asDouble()).as("the reminder's value, not the FIRING's").isEqualTo("9600.0 > 8000.0");
    assertThat(latency.get("since").asText()).isEqualTo(CookbookQueries.time(minutes(-5)));
    assertThat(latency.get("condition_since").asText()).isEqualTo(CookbookQueries.time(minutes(-7)));
    assertThat(latency.get("last_event_at").asText()).isEqualTo(CookbookQueries.time(minutes(5)));
    assertThat(latency.get("reminders").asInt()).isEqualTo(1);
    assertThat(latency.get("example_trace_ids")).extracting(JsonNode::asText).containsExactly("t-slow-3", "t-slow-4");
    assertThat(latency.get("runbook_url").asText()).isEqualTo(TestRecords.alertEvent().getRunbookUrl());
    JsonNode passRate = rows.get(1);
    assertThat(passRate.get("reminders").asInt()).isZero();
    assertThat(passRate.get("measured_value").asDouble() + " vs baseline " + passRate.get("baseline_value").asDouble() + " ("
        + passRate.get("baseline").asText() + ", " + passRate.get("evaluation_window").asText() + ", " + passRate.get("volume").asLong()
        + ")").isEqualTo("0.8 vs baseline 0.94 (prior_7d_mean, 1h, 400)");
    assertThat(passRate.get("since").asText()).isEqualTo(CookbookQueries.time(minutes(-40)));

    assertThat(ids(queries.run("alerts_open_episodes.sql", "tenant", "", "owner", "")))
        .as("every tenant: globex's redaction failure is a PAGE firing longer than e2")
        .containsExactly("redaction_failure/e6", "p95-latency-support/e2", "eval-pass-rate-drop/e5");
    assertThat(ids(queries.run("alerts_open_episodes.sql", "tenant", "", "owner", "team-quality")))
        .containsExactly("eval-pass-rate-drop/e5");
  }

  @Test
  void episodesPerRuleAndOwnerCountEachEpisodeOnce() {
    List<JsonNode> rows = queries.run("alerts_by_rule_and_owner.sql", range());
    assertThat(rows).extracting(row -> row.get("rule_id").asText() + "/" + row.get("owner").asText() + " " + row.get("severity").asText()
            + " episodes=" + row.get("episodes").asLong() + " resolved=" + row.get("resolved_episodes").asLong()
            + " open=" + row.get("open_episodes").asLong() + " reminders=" + row.get("reminders").asLong()
            + " groups=" + row.get("groups").asLong() + " median=" + row.get("median_minutes_to_resolve").asDouble())
        .as("e0 fired before the range; e4 resolved after it and counts as resolved; e1's two reminders are one episode")
        .containsExactly(
            "p95-latency-support/team-support-ai PAGE episodes=4 resolved=3 open=1 reminders=3 groups=2 median=10.0",
            "eval-pass-rate-drop/team-quality NOTIFY episodes=2 resolved=1 open=1 reminders=0 groups=1 median=120.0",
            "tool-error-rate/(none) WARNING episodes=1 resolved=1 open=0 reminders=0 groups=1 median=3.0");
    assertThat(rows.get(0).get("first_fired_at").asText()).isEqualTo(CookbookQueries.time(minutes(-50)));
    assertThat(rows.get(0).get("last_fired_at").asText()).isEqualTo(CookbookQueries.time(minutes(-5)));
    assertThat(queries.run("alerts_by_rule_and_owner.sql", "tenant", "", "since", CookbookQueries.time(minutes(-200)),
        "until", CookbookQueries.time(minutes(-20)))).extracting(row -> row.get("rule_id").asText() + " " + row.get("episodes").asLong())
        .as("every tenant, an earlier range: e0, e1, e3, e7, e4, e5, e8; not e2 or globex's e6 (fired at -15)")
        .containsExactly("p95-latency-support 4", "eval-pass-rate-drop 2", "tool-error-rate 1");
  }

  @Test
  void timeToResolveFromFiringToResolvedPerRule() {
    List<JsonNode> rows = queries.run("alerts_time_to_resolve.sql", range());
    assertThat(rows).extracting(row -> row.get("rule_id").asText() + " episodes=" + row.get("episodes").asLong()
            + " resolved=" + row.get("resolved_episodes").asLong() + " p50=" + row.get("p50_minutes").asDouble()
            + " p90=" + row.get("p90_minutes").asDouble() + " max=" + row.get("max_minutes").asDouble())
        .as("p95-latency-support resolved after 5, 10 and 40 minutes: p90 interpolates to 34")
        .containsExactly(
            "eval-pass-rate-drop episodes=2 resolved=1 p50=120.0 p90=120.0 max=120.0",
            "p95-latency-support episodes=4 resolved=3 p50=10.0 p90=34.0 max=40.0",
            "tool-error-rate episodes=1 resolved=1 p50=3.0 p90=3.0 max=3.0");
    JsonNode unresolved = queries.run("alerts_time_to_resolve.sql", "tenant", "globex", "since", CookbookQueries.time(minutes(-60)),
        "until", CookbookQueries.time(minutes(60))).get(0);
    assertThat(unresolved.get("episodes").asLong()).isEqualTo(1);
    assertThat(unresolved.get("p50_minutes").isNull()).as("nothing resolved yet").isTrue();
  }

  @Test
  void theEpisodeViewHasOneRowPerEpisodeWithItsOwnTimes() {
    assertThat(fixture.count("SELECT count() FROM alerts")).isEqualTo(19);
    assertThat(fixture.rows("SELECT alert_id, last_state, resolved, firing_at, resolved_event_at, minutes_to_resolve, notifications "
            + "FROM alert_episodes WHERE rule_id = 'p95-latency-support' ORDER BY firing_at"))
        .extracting(row -> row.get("alert_id").asText() + " " + row.get("last_state").asText() + " " + row.get("resolved").asBoolean()
            + " " + row.get("minutes_to_resolve").asText() + " " + row.get("notifications").asInt())
        .containsExactly("p95-latency-support/e0 RESOLVED true 10 0", "p95-latency-support/e1 RESOLVED true 40 2",
            "p95-latency-support/e3 RESOLVED true 10 0", "p95-latency-support/e7 RESOLVED true 5 0",
            "p95-latency-support/e2 RENOTIFY false null 1");
    assertThat(fixture.count("SELECT count() FROM alert_episodes")).as("9 episodes in 19 events").isEqualTo(9);
  }

  @Test
  void releasesOfAServiceAndEnvironmentNewestFirstEachOnce() {
    List<JsonNode> rows = queries.run("releases_list.sql", "tenant", "acme", "service", "support-api", "environment", "production",
        "since", CookbookQueries.time(minutes(-24 * 60)), "until", CookbookQueries.time(minutes(60)));
    assertThat(rows).extracting(row -> row.get("release_id").asText() + " " + row.get("app_version").asText() + " "
            + row.get("prompt_name").asText() + "/" + row.get("prompt_version").asText())
        .as("not the canary, the billing API, globex's or the one three days ago")
        .containsExactly("rel-4 null support_answer/v35", "rel-2 2026.06.2 null/null", "rel-1 2026.06.1 null/null");
    assertThat(rows.get(1).get("note").asText()).as("the copy accepted last").isEqualTo("CHG-1042");
    assertThat(rows.get(1).get("released_at").asText()).isEqualTo(CookbookQueries.time(minutes(-30)));
    assertThat(rows.get(1).get("released_by").asText()).isEqualTo("team-support-ai");
    assertThat(queries.run("releases_list.sql", "tenant", "acme", "service", "support-api", "environment", "",
        "since", CookbookQueries.time(minutes(-24 * 60)), "until", CookbookQueries.time(minutes(60))))
        .extracting(row -> row.get("release_id").asText() + "@" + row.get("environment").asText())
        .containsExactly("rel-3@canary", "rel-4@production", "rel-2@production", "rel-1@production");
    assertThat(queries.run("releases_list.sql", "tenant", "acme", "service", "", "environment", "production",
        "since", CookbookQueries.time(minutes(-60)), "until", CookbookQueries.time(minutes(0))))
        .extracting(row -> row.get("release_id").asText()).containsExactly("rel-4", "rel-2", "rel-5");
  }

  @AfterAll
  void everyAlertsAndReleasesQueryIsTested() throws IOException {
    queries.assertEveryQueryTested("alerts_", "releases_");
  }
}

package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewPriority;
import io.llmtrace.schemas.avro.ReviewStatus;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.mapping.ReviewRows;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code review_*} queries of {@code deploy/clickhouse/queries} on review items with known answers, several
 * in more than one version, in separate inserts (parts), so that every answer depends on reading each item as
 * its newest version: r-1 queued then decided (hallucinated); r-8 decided before its OPEN version arrived; r-9
 * decided partially_correct, then changed to correct (version 3); r-6 a sampled prompt version decided
 * correct; r-2, r-3, r-4 (sampled at 25%), r-5 (in review) and r-7 (example of a firing alert) still open;
 * r-10 decided the day before the range; globex's r-11 open. Times count from the last midnight M; decisions
 * are queried in [M - 1 d, M + 1 h).
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReviewQueueCookbookIT {

  private final Instant midnight = Instant.now().truncatedTo(ChronoUnit.DAYS);
  private CookbookQueries queries;

  @BeforeAll
  void loadFixture(StackEndpoints stack, TestNames names) throws ClickHouseTarget.InsertException {
    queries = CookbookQueries.create(stack, names.table("review_cookbook"),
        rows -> rows.insert("review_queue", ReviewRows.COLUMNS, ReviewRows::encode, inserts()));
  }

  List<List<ReviewItem>> inserts() {
    ReviewItem r1 = item("r-1", "failed_evaluation", ReviewPriority.HIGH, -300, "v35").build();
    ReviewItem r8 = item("r-8", "failed_evaluation", ReviewPriority.NORMAL, -500, "v34").build();
    ReviewItem r9 = item("r-9", "low_judge_confidence", ReviewPriority.NORMAL, -600, "v35").build();
    List<ReviewItem> first = List.of(r1, r9,
        item("r-2", "failed_evaluation", ReviewPriority.HIGH, -200, "v35").build(),
        item("r-3", "failed_evaluation", ReviewPriority.NORMAL, -250, "v35").build(),
        item("r-4", "negative_feedback", ReviewPriority.NORMAL, -240, "v35").setSampleRate(0.25).build(),
        item("r-5", "negative_feedback", ReviewPriority.NORMAL, -230, "v34").setStatus(ReviewStatus.IN_REVIEW).build(),
        item("r-7", "alert_example", ReviewPriority.URGENT, -3, "v35").setAlertId("p95-latency-support/e2").build(),
        item("r-11", "failed_evaluation", ReviewPriority.HIGH, -100, "v35").setTenantId("globex").build(),
        decided(item("r-6", "sampled_prompt_version", ReviewPriority.LOW, -400, "v35").setSampleRate(0.1).build(), "correct", -50,
            "rev-b"),
        decided(r8, "correct", -90, "rev-a"),
        decided(item("r-10", "failed_evaluation", ReviewPriority.HIGH, -3_000, "v35").build(), "hallucinated", -2_000, "rev-a"));
    // r-8's OPEN version arrives after its decision: the version decides, not the arrival
    List<ReviewItem> second = List.of(decided(r1, "hallucinated", -100, "rev-a"), decided(r9, "partially_correct", -200, "rev-a"), r8);
    List<ReviewItem> third = List.of(ReviewItem.newBuilder(decided(r9, "correct", -60, "rev-b")).setVersion(3).build());
    return List.of(first, second, third);
  }

  /** Version 1 (OPEN) of acme's item for the trace and reason, of the support_answer prompt, queued at M + minute. */
  ReviewItem.Builder item(String trace, String reason, ReviewPriority priority, long minute, String promptVersion) {
    return ReviewItem.newBuilder(TestRecords.reviewItem()).setItemId("acme/" + trace + "/" + reason).setTraceId(trace).setTenantId("acme")
        .setReason(reason).setPriority(priority).setStatus(ReviewStatus.OPEN).setCreatedAt(minutes(minute)).setPromptName("support_answer")
        .setPromptVersion(promptVersion).setSampleRate(1.0).setVersion(1);
  }

  /** The item's version 2: DECIDED with the label, by the reviewer, at M + minute. */
  ReviewItem decided(ReviewItem item, String label, long minute, String reviewer) {
    return ReviewItem.newBuilder(item).setStatus(ReviewStatus.DECIDED).setDecisionLabel(label).setDecisionNote("checked the sources")
        .setReviewer(reviewer).setDecidedAt(minutes(minute)).setVersion(2).build();
  }

  Instant minutes(long offset) {
    return midnight.plus(Duration.ofMinutes(offset));
  }

  @Test
  void openItemsByReasonAndPriorityLeaveOutEveryDecidedItem() {
    List<JsonNode> rows = queries.run("review_open_items.sql", "tenant", "acme", "reason", "");
    assertThat(rows).extracting(row -> row.get("reason").asText() + " " + row.get("priority").asText() + " items="
            + row.get("items").asLong() + " in_review=" + row.get("in_review").asLong() + " traces="
            + row.get("qualifying_traces").asDouble() + " " + row.get("oldest_trace_ids"))
        .as("r-1, r-8 (OPEN inserted after its decision), r-9 and r-6 are decided; globex's r-11 is not acme's")
        .containsExactly(
            "alert_example URGENT items=1 in_review=0 traces=1.0 [\"r-7\"]",
            "failed_evaluation HIGH items=1 in_review=0 traces=1.0 [\"r-2\"]",
            "negative_feedback NORMAL items=2 in_review=1 traces=5.0 [\"r-4\",\"r-5\"]",
            "failed_evaluation NORMAL items=1 in_review=0 traces=1.0 [\"r-3\"]");
    assertThat(rows.get(2).get("oldest_created_at").asText()).isEqualTo(CookbookQueries.time(minutes(-240)));
    assertThat(rows.get(2).get("oldest_age_hours").asDouble()).isGreaterThanOrEqualTo(4.0);
    assertThat(queries.run("review_open_items.sql", "tenant", "acme", "reason", "failed_evaluation"))
        .extracting(row -> row.get("priority").asText() + " " + row.get("oldest_trace_ids").get(0).asText())
        .containsExactly("HIGH r-2", "NORMAL r-3");
  }

  @Test
  void decisionsByPromptVersionAndLabelCountEachItemOnceWithItsLatestLabel() {
    List<JsonNode> rows = queries.run("review_decisions.sql", "tenant", "acme", "prompt_name", "",
        "since", CookbookQueries.time(minutes(-24 * 60)), "until", CookbookQueries.time(minutes(60)));
    assertThat(rows).extracting(row -> row.get("prompt").asText() + "/" + row.get("prompt_version").asText() + " "
            + row.get("label").asText() + " items=" + row.get("items").asLong() + " share=" + row.get("share_of_version").asDouble()
            + " hours=" + row.get("median_hours_to_decision").asDouble() + " " + row.get("reasons") + " reviewers="
            + row.get("reviewers").asLong() + " " + row.get("example_trace_ids"))
        .as("r-9 counts as correct (version 3), not partially_correct; r-10 was decided before the range")
        .containsExactly(
            "support_answer/v34 correct items=1 share=1.0 hours=6.83 [\"failed_evaluation\"] reviewers=1 [\"r-8\"]",
            "support_answer/v35 correct items=2 share=0.6667 hours=7.42 [\"low_judge_confidence\",\"sampled_prompt_version\"] "
                + "reviewers=1 [\"r-6\",\"r-9\"]",
            "support_answer/v35 hallucinated items=1 share=0.3333 hours=3.33 [\"failed_evaluation\"] reviewers=1 [\"r-1\"]");
    assertThat(queries.run("review_decisions.sql", "tenant", "acme", "prompt_name", "classify_ticket",
        "since", CookbookQueries.time(minutes(-24 * 60)), "until", CookbookQueries.time(minutes(60)))).isEmpty();
    assertThat(queries.run("review_decisions.sql", "tenant", "acme", "prompt_name", "support_answer",
        "since", CookbookQueries.time(minutes(-95)), "until", CookbookQueries.time(minutes(-55))))
        .extracting(row -> row.get("prompt_version").asText() + " " + row.get("label").asText() + " " + row.get("items").asLong())
        .as("decided in [M - 95 min, M - 55 min): r-8 and r-9's latest decision; r-6 at M - 50 min is after it, r-9's first before")
        .containsExactly("v34 correct 1", "v35 correct 1");
  }

  @AfterAll
  void everyReviewQueryIsTested() throws IOException {
    queries.assertEveryQueryTested("review_");
  }
}

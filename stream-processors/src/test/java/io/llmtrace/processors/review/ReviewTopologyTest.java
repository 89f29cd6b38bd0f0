package io.llmtrace.processors.review;

import static io.llmtrace.processors.review.ReviewFixtures.T0;
import static io.llmtrace.processors.review.ReviewFixtures.REVIEWER;
import static io.llmtrace.processors.review.ReviewFixtures.TENANT;
import static io.llmtrace.processors.review.ReviewFixtures.alert;
import static io.llmtrace.processors.review.ReviewFixtures.decision;
import static io.llmtrace.processors.review.ReviewFixtures.failedTrace;
import static io.llmtrace.processors.review.ReviewFixtures.nextVersion;
import static io.llmtrace.processors.review.ReviewFixtures.only;
import static io.llmtrace.processors.review.ReviewFixtures.outcome;
import static io.llmtrace.processors.review.ReviewFixtures.quietTrace;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.common.DeadLetterHeaders;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewPriority;
import io.llmtrace.schemas.avro.ReviewStatus;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.testing.TestSpans;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The review topology as built for production: traces, decisions and alerts in, review items out. */
class ReviewTopologyTest {

  private static final ReviewReason[] TRACE_REASONS = {ReviewReason.FAILED_EVALUATION, ReviewReason.NEGATIVE_FEEDBACK,
      ReviewReason.LOW_JUDGE_CONFIDENCE, ReviewReason.HIGH_RISK_FEATURE, ReviewReason.TOOL_CALL_LIMIT};

  @Test
  void aFailedEvaluationQueuesAnOpenItemWithTheEvaluatorAndTheTracesDimensions() {
    try (ReviewDriver driver = new ReviewDriver(only(TRACE_REASONS))) {
      TraceSummary trace = failedTrace(1).build();
      driver.pipe(trace);

      List<TestRecord<String, ReviewItem>> out = driver.records();
      assertThat(out).singleElement().satisfies(record -> {
        assertThat(record.key()).as("keyed by trace id").isEqualTo(trace.getTraceId());
        ReviewItem item = record.value();
        assertThat(item.getItemId()).isEqualTo(TENANT + "/" + trace.getTraceId() + "/failed_evaluation");
        assertThat(item.getReason()).isEqualTo("failed_evaluation");
        assertThat(item.getPriority()).isEqualTo(ReviewPriority.HIGH);
        assertThat(item.getStatus()).isEqualTo(ReviewStatus.OPEN);
        assertThat(item.getVersion()).isEqualTo(1);
        assertThat(item.getDetail()).isEqualTo("answer_cites_source failed 1 of 3 (min score 0.72)");
        assertThat(item.getTenantId()).isEqualTo(TENANT);
        assertThat(item.getEnvironment()).isEqualTo("production");
        assertThat(item.getServiceName()).isEqualTo("support-api");
        assertThat(item.getFeatureName()).isEqualTo("support_chatbot");
        assertThat(item.getPromptName()).isEqualTo("support_answer");
        assertThat(item.getPromptVersion()).isEqualTo("v35");
        assertThat(item.getModelName()).isEqualTo("gpt-4.1-mini");
        assertThat(item.getTraceStartTime()).isEqualTo(trace.getStartTime());
        assertThat(item.getCreatedAt()).as("when the summary was assembled").isEqualTo(trace.getAssembledAt());
        assertThat(item.getSampleRate()).isEqualTo(1.0);
        assertThat(item.getDecisionLabel()).isNull();
      });
      assertThat(driver.counter("llmtrace_review_items", "reason", "failed_evaluation")).isEqualTo(1);
    }
  }

  @Test
  void eachReasonQueuesWithItsConfiguredPriorityAndDetail() {
    try (ReviewDriver driver = new ReviewDriver(only(TRACE_REASONS))) {
      driver.pipe(quietTrace(1).build()); // qualifies for nothing
      driver.pipe(quietTrace(2).setNegativeFeedback(2).setFeedbackCount(3).build());
      driver.pipe(quietTrace(3).setEvaluations(new HashMap<>(Map.of("faithfulness", outcome(1, 0, 0.31), "relevance", outcome(1, 0, 0.9))))
          .build());
      driver.pipe(quietTrace(4).setFeatureName("refund_approval").build());
      driver.pipe(quietTrace(5).setToolCalls(14).build());
      driver.pipe(quietTrace(6).setToolCalls(10).build()); // at the limit, not over it

      assertThat(driver.items()).extracting(i -> i.getTraceId().substring(16) + " " + i.getReason() + " " + i.getPriority() + " "
              + i.getDetail())
          .containsExactly(
              "0000000000000002 negative_feedback HIGH 2 negative of 3 feedback entries",
              "0000000000000003 low_judge_confidence NORMAL faithfulness min score 0.31 (below 0.5)",
              "0000000000000004 high_risk_feature HIGH feature refund_approval is high-risk",
              "0000000000000005 tool_call_limit NORMAL 14 tool calls (more than 10)");
    }
  }

  @Test
  void aDisabledReasonQueuesNothing() {
    try (ReviewDriver driver = new ReviewDriver(only(ReviewReason.NEGATIVE_FEEDBACK))) {
      driver.pipe(failedTrace(1).build());
      assertThat(driver.items()).isEmpty();
      assertThat(driver.counter("llmtrace_review_sampled_out", "reason", "failed_evaluation")).as("not even considered").isZero();
    }
  }

  @Test
  void aReviewersOwnVerdictNeverQueuesTheTrace() {
    // Given a trace whose only failed and low-scored evaluation is a reviewer's (its version after the decision span)
    try (ReviewDriver driver = new ReviewDriver(only(TRACE_REASONS))) {
      driver.pipe(quietTrace(1).setFailedEvaluations(1).setEvaluations(new HashMap<>(Map.of(ReviewPolicy.HUMAN_REVIEW, outcome(0, 1, 0.0))))
          .build());

      assertThat(driver.items()).isEmpty();
    }
  }

  @Test
  void aPromptVersionIsNewForItsFirstDayAndCanaryTrafficAlwaysCounts() {
    try (ReviewDriver driver = new ReviewDriver(only(ReviewReason.SAMPLED_PROMPT_VERSION))) {
      List<String> v36 = List.of("support_answer@v36");
      driver.pipe(quietTrace(1).setPromptVersionsUsed(new ArrayList<>(v36)).build());
      driver.pipe(quietTrace(23 * 3600).setPromptVersionsUsed(new ArrayList<>(v36)).build());
      driver.pipe(quietTrace(25 * 3600).setPromptVersionsUsed(new ArrayList<>(v36)).build());
      driver.pipe(quietTrace(26 * 3600).setPromptVersionsUsed(new ArrayList<>(v36)).setEnvironment("canary").build());
      driver.pipe(quietTrace(27 * 3600).setPromptVersionsUsed(new ArrayList<>()).setEnvironment("canary").build());

      List<ReviewItem> items = driver.items();
      assertThat(items).extracting(i -> i.getTraceStartTime().getEpochSecond() - T0.getEpochSecond())
          .as("the first day's traces and the canary one; not the day-old production trace, nor a canary trace without a prompt")
          .containsExactly(1L, 23 * 3600L, 26 * 3600L);
      assertThat(items.get(0).getDetail()).isEqualTo("prompt support_answer@v36 is new (first seen " + T0.plusSeconds(1) + ", new for 1d)");
      assertThat(items.get(0).getPriority()).isEqualTo(ReviewPriority.LOW);
      assertThat(items.get(2).getDetail()).isEqualTo("prompt support_answer@v36 in environment canary");
      assertThat(items).allSatisfy(i -> {
        assertThat(i.getReason()).isEqualTo("sampled_prompt_version");
        assertThat(i.getPromptName()).isEqualTo("support_answer");
        assertThat(i.getPromptVersion()).isEqualTo("v36");
      });
    }
  }

  @Test
  void aLaterVersionOfATraceIsNotQueuedAgainForTheSameReason() {
    try (ReviewDriver driver = new ReviewDriver(only(TRACE_REASONS))) {
      // Given version 1 with a failed evaluation, queued
      TraceSummary v1 = failedTrace(1).build();
      driver.pipe(v1);
      assertThat(driver.items()).extracting(ReviewItem::getReason).containsExactly("failed_evaluation");

      // When version 2 (a late span) still has the failure and now negative feedback too, and arrives twice
      TraceSummary v2 = nextVersion(v1, Duration.ofMinutes(2)).setNegativeFeedback(1).setFeedbackCount(1).build();
      driver.pipe(v2);
      driver.pipe(v2);

      // Then only the new reason is queued
      assertThat(driver.items()).extracting(i -> i.getReason() + " v" + i.getVersion()).containsExactly("negative_feedback v1");
      assertThat(driver.counter("llmtrace_review_duplicates", "reason", "failed_evaluation")).isEqualTo(2);
      assertThat(driver.counter("llmtrace_review_duplicates", "reason", "negative_feedback")).isEqualTo(1);
      assertThat(driver.counter("llmtrace_review_items", "reason", "failed_evaluation")).isEqualTo(1);
    }
  }

  @Test
  void aSampleRateOfOneInTenQueuesAboutATenthOfTheTracesAndTheSameOnAReplay() {
    ReviewPolicy tenth = only(ReviewReason.FAILED_EVALUATION)
        .with(ReviewReason.FAILED_EVALUATION, new ReviewPolicy.Rule(true, 0.1, ReviewPriority.HIGH));
    List<TraceSummary> traces = new ArrayList<>();
    for (int n = 0; n < 1_000; n++) {
      traces.add(failedTrace(n).build());
    }
    Set<String> first;
    try (ReviewDriver driver = new ReviewDriver(tenth)) {
      traces.forEach(driver::pipe);
      List<ReviewItem> items = driver.items();
      first = new TreeSet<>(items.stream().map(ReviewItem::getTraceId).toList());
      assertThat(items).hasSize(first.size()).allSatisfy(i -> assertThat(i.getSampleRate()).isEqualTo(0.1));
      // 1,000 draws at 10%: 100 ± 9.5 (one standard deviation); ±3 of them
      assertThat(first.size()).isBetween(72, 128);
      assertThat(driver.counter("llmtrace_review_sampled_out", "reason", "failed_evaluation")).isEqualTo(1_000 - first.size());

      // the same traces again into the same queue: nothing new
      traces.forEach(driver::pipe);
      assertThat(driver.items()).isEmpty();
      assertThat(driver.counter("llmtrace_review_duplicates", "reason", "failed_evaluation")).isEqualTo(first.size());
    }
    // a replay from scratch (new state) decides the same traces
    try (ReviewDriver replay = new ReviewDriver(tenth)) {
      traces.forEach(replay::pipe);
      assertThat(new TreeSet<>(replay.items().stream().map(ReviewItem::getTraceId).toList())).isEqualTo(first);
    }
  }

  @Test
  void aHumanReviewSpanDecidesEveryOpenItemOfItsTrace() {
    try (ReviewDriver driver = new ReviewDriver(only(TRACE_REASONS))) {
      // Given trace 1 queued for two reasons and trace 2 for one
      driver.pipe(failedTrace(1).setNegativeFeedback(1).setFeedbackCount(1).build());
      driver.pipe(failedTrace(2).build());
      List<ReviewItem> open = driver.items();
      assertThat(open).hasSize(3);

      // When a reviewer decides trace 1
      Instant at = T0.plus(Duration.ofHours(3));
      driver.pipe(decision(1, " Hallucinated", "cites a refund policy that does not exist", at));

      // Then both of its items are published again, decided, under the same ids; trace 2's stays open
      List<ReviewItem> decided = driver.items();
      assertThat(decided).extracting(ReviewItem::getItemId).containsExactlyInAnyOrder(open.get(0).getItemId(), open.get(1).getItemId());
      assertThat(decided).allSatisfy(item -> {
        assertThat(item.getTraceId()).isEqualTo(TestSpans.traceId(1));
        assertThat(item.getStatus()).isEqualTo(ReviewStatus.DECIDED);
        assertThat(item.getVersion()).isEqualTo(2);
        assertThat(item.getDecisionLabel()).isEqualTo("hallucinated");
        assertThat(item.getDecisionNote()).isEqualTo("cites a refund policy that does not exist");
        assertThat(item.getReviewer()).isEqualTo(REVIEWER);
        assertThat(item.getDecidedAt()).isEqualTo(at);
        assertThat(item.getCreatedAt()).as("still when it was queued").isEqualTo(open.get(0).getCreatedAt());
      });
      assertThat(driver.counter("llmtrace_review_decisions", "label", "hallucinated")).isEqualTo(1);
      assertThat(driver.counter("llmtrace_review_decided_items")).isEqualTo(2);

      // the same span again (a client retry): nothing to publish
      driver.pipe(decision(1, "hallucinated", "cites a refund policy that does not exist", at));
      assertThat(driver.items()).isEmpty();
      assertThat(driver.counter("llmtrace_review_rejected_decisions", "cause", "repeated")).isEqualTo(1);

      // a changed decision counts up
      driver.pipe(decision(1, "correct", "the policy exists after all", at.plusSeconds(600)));
      assertThat(driver.items()).extracting(i -> i.getVersion() + " " + i.getDecisionLabel()).containsExactly("3 correct", "3 correct");

      // a decision older than the one the items carry is not applied
      driver.pipe(decision(1, "unsafe", "late delivery of an old decision", at.minusSeconds(60)));
      assertThat(driver.items()).isEmpty();
      assertThat(driver.counter("llmtrace_review_rejected_decisions", "cause", "stale")).isEqualTo(1);
    }
  }

  @Test
  void aDecisionOnATraceWithoutItemsCreatesADecidedReviewedItem() {
    try (ReviewDriver driver = new ReviewDriver(only(TRACE_REASONS))) {
      Instant at = T0.plusSeconds(90);
      driver.pipe(decision(7, "incomplete", "stops before the refund amount", at));

      assertThat(driver.items()).singleElement().satisfies(item -> {
        assertThat(item.getItemId()).isEqualTo(TENANT + "/" + TestSpans.traceId(7) + "/reviewed");
        assertThat(item.getReason()).isEqualTo("reviewed");
        assertThat(item.getStatus()).isEqualTo(ReviewStatus.DECIDED);
        assertThat(item.getVersion()).isEqualTo(2);
        assertThat(item.getSpanId()).as("the judged span").isEqualTo("0000000000000003");
        assertThat(item.getDecisionLabel()).isEqualTo("incomplete");
        assertThat(item.getCreatedAt()).isEqualTo(at);
        assertThat(item.getFeatureName()).isEqualTo("support_chatbot");
      });
      assertThat(driver.counter("llmtrace_review_items", "reason", "reviewed")).isEqualTo(1);

      // a later decision on the trace decides that item again
      driver.pipe(decision(7, "correct", "fine on second reading", at.plusSeconds(60)));
      assertThat(driver.items()).extracting(i -> i.getReason() + " v" + i.getVersion() + " " + i.getDecisionLabel())
          .containsExactly("reviewed v3 correct");
    }
  }

  @Test
  void aDecisionWithoutAKnownLabelDecidesNothingAndIsCounted() {
    try (ReviewDriver driver = new ReviewDriver(only(TRACE_REASONS))) {
      driver.pipe(failedTrace(1).build());
      driver.items();

      driver.pipe(decision(1, "mostly_fine", "not one of the labels", T0.plusSeconds(600)));
      driver.pipe(decision(1, null, "no label at all", T0.plusSeconds(601)));
      driver.pipe(decision(1, "  ", "a blank label", T0.plusSeconds(602)));
      assertThat(driver.items()).as("the item stays open").isEmpty();
      assertThat(driver.counter("llmtrace_review_rejected_decisions", "cause", "unknown_label")).isEqualTo(1);
      assertThat(driver.counter("llmtrace_review_rejected_decisions", "cause", "missing_label")).isEqualTo(2);

      driver.pipe(decision(1, "tool_error", "the CRM lookup timed out", T0.plusSeconds(700)));
      assertThat(driver.items()).extracting(i -> i.getVersion() + " " + i.getDecisionLabel()).containsExactly("2 tool_error");
    }
  }

  @Test
  void aReviewerIdThatIsNotAPseudonymIsNotStored() {
    try (ReviewDriver driver = new ReviewDriver(only(TRACE_REASONS))) {
      driver.pipe(failedTrace(1).build());
      driver.items();

      driver.pipe(LlmSpan.newBuilder(decision(1, "unsafe", "gives medical advice", T0.plusSeconds(600)))
          .setUserId("Jane Doe").build());

      assertThat(driver.items()).singleElement().satisfies(item -> {
        assertThat(item.getStatus()).isEqualTo(ReviewStatus.DECIDED);
        assertThat(item.getDecisionLabel()).isEqualTo("unsafe");
        assertThat(item.getReviewer()).isNull();
      });
      assertThat(driver.counter("llmtrace_review_reviewers_dropped", "cause", "not_pseudonymous")).isEqualTo(1);
    }
  }

  @Test
  void theExamplesOfAFiringAlertAreQueuedOnceEvenWhenARenotifyRepeatsThem() {
    try (ReviewDriver driver = new ReviewDriver(only(ReviewReason.ALERT_EXAMPLE))) {
      String t1 = TestSpans.traceId(1);
      String t2 = TestSpans.traceId(2);
      String t3 = TestSpans.traceId(3);
      driver.pipe(alert("p95/e1", AlertState.FIRING, AlertSeverity.PAGE, T0.plusSeconds(60), t1, t2, t1));

      List<TestRecord<String, ReviewItem>> firing = driver.records();
      assertThat(firing).extracting(TestRecord::key).containsExactly(t1, t2);
      assertThat(firing).extracting(TestRecord::value).allSatisfy(item -> {
        assertThat(item.getReason()).isEqualTo("alert_example");
        assertThat(item.getPriority()).isEqualTo(ReviewPriority.URGENT);
        assertThat(item.getAlertId()).isEqualTo("p95/e1");
        assertThat(item.getDetail()).isEqualTo("rule critical_workflow_p95_latency (page), alert p95/e1");
        assertThat(item.getTenantId()).isEqualTo(TENANT);
        assertThat(item.getFeatureName()).isEqualTo("support_chatbot");
        assertThat(item.getEnvironment()).isEqualTo("production");
        assertThat(item.getCreatedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(item.getStatus()).isEqualTo(ReviewStatus.OPEN);
      });

      // a reminder repeats t1 and names t3; the episode's end names t4
      driver.pipe(alert("p95/e1", AlertState.RENOTIFY, AlertSeverity.PAGE, T0.plusSeconds(3_600), t1, t3));
      driver.pipe(alert("p95/e1", AlertState.RESOLVED, AlertSeverity.PAGE, T0.plusSeconds(7_200), TestSpans.traceId(4)));

      assertThat(driver.items()).extracting(ReviewItem::getTraceId).containsExactly(t3);
      assertThat(driver.counter("llmtrace_review_duplicates", "reason", "alert_example")).isEqualTo(1);
      assertThat(driver.counter("llmtrace_review_items", "reason", "alert_example")).isEqualTo(3);
    }
  }

  @ParameterizedTest
  @CsvSource({"PAGE, URGENT", "NOTIFY, HIGH", "REVIEW, NORMAL", "CRITICAL, URGENT", "WARNING, HIGH", "INFO, NORMAL"})
  void anAlertExamplesPriorityFollowsTheAlertsSeverity(AlertSeverity severity, ReviewPriority priority) {
    try (ReviewDriver driver = new ReviewDriver(only(ReviewReason.ALERT_EXAMPLE))) {
      driver.pipe(alert("a/e1", AlertState.FIRING, severity, T0, TestSpans.traceId(1)));
      assertThat(driver.items()).singleElement().satisfies(item -> assertThat(item.getPriority()).isEqualTo(priority));
    }
  }

  @Test
  void anAlertExampleTakesWhatItsGroupDoesNotSayFromTheTracesOtherItems() {
    try (ReviewDriver driver = new ReviewDriver(only(ReviewReason.FAILED_EVALUATION, ReviewReason.ALERT_EXAMPLE))) {
      TraceSummary trace = failedTrace(1).build();
      driver.pipe(trace);
      driver.items();

      driver.pipe(alert("faith/e1", AlertState.FIRING, AlertSeverity.NOTIFY, T0.plusSeconds(300), trace.getTraceId()));

      assertThat(driver.items()).singleElement().satisfies(item -> {
        assertThat(item.getReason()).isEqualTo("alert_example");
        assertThat(item.getPromptName()).isEqualTo("support_answer");
        assertThat(item.getPromptVersion()).isEqualTo("v35");
        assertThat(item.getModelName()).isEqualTo("gpt-4.1-mini");
        assertThat(item.getServiceName()).isEqualTo("support-api");
        assertThat(item.getTraceStartTime()).isEqualTo(trace.getStartTime());
      });
    }
  }

  @Test
  void unreadableRecordsGoToTheDeadLettersAndTheQueueGoesOn() {
    try (ReviewDriver driver = new ReviewDriver(only(TRACE_REASONS))) {
      byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
      driver.traces.pipeInput("t-bad", garbage, T0);
      driver.spans.pipeInput("t-bad", garbage, T0);
      driver.alerts.pipeInput("a-bad", garbage, T0);
      driver.traces.pipeInput("t-tombstone", (byte[]) null, T0);

      driver.pipe(failedTrace(1).build());

      var dead = driver.deadLetters.readRecordsToList();
      assertThat(dead).hasSize(4);
      assertThat(dead.get(0).value()).isEqualTo(garbage);
      assertThat(dead).extracting(r -> new String(r.headers().lastHeader(DeadLetterHeaders.TOPIC).value(), StandardCharsets.UTF_8))
          .containsExactly("llm.traces", "llm.spans.redacted", "llm.alerts", "llm.traces");
      assertThat(dead).allSatisfy(r -> assertThat(r.headers().lastHeader(DeadLetterHeaders.EXCEPTION)).isNotNull());
      assertThat(driver.counter("llmtrace_review_dead_letters")).isEqualTo(4);
      assertThat(driver.items()).extracting(ReviewItem::getReason).containsExactly("failed_evaluation");
    }
  }

  @Test
  void recordsWithoutATenantAreSkippedAndCounted() {
    try (ReviewDriver driver = new ReviewDriver(only(ReviewReason.FAILED_EVALUATION, ReviewReason.ALERT_EXAMPLE))) {
      driver.pipe(failedTrace(1).setTenantId("").build());
      var noTenant = alert("x/e1", AlertState.FIRING, AlertSeverity.PAGE, T0, TestSpans.traceId(2));
      noTenant.setGroupDimensions(new HashMap<>(Map.of("feature_name", "support_chatbot")));
      driver.pipe(noTenant);

      assertThat(driver.items()).isEmpty();
      assertThat(driver.deadLetters.isEmpty()).isTrue();
      assertThat(driver.counter("llmtrace_review_skipped", "cause", "no_tenant")).isEqualTo(2);
    }
  }

  @Test
  void itemsUntouchedForTheRetentionAreForgotten() {
    ReviewConfig.State hour = new ReviewConfig.State(Duration.ofHours(1), Duration.ofMinutes(1));
    try (ReviewDriver driver = new ReviewDriver(only(ReviewReason.FAILED_EVALUATION), hour)) {
      // Given trace 1 queued at T0 + 35 s
      TraceSummary old = failedTrace(1).build();
      driver.pipe(old);
      assertThat(driver.items()).hasSize(1);

      // When stream time moves two hours on (another trace queued), the sweep forgets it
      driver.pipe(failedTrace(7_200).build());
      driver.items();
      assertThat(driver.counter("llmtrace_review_forgotten")).isEqualTo(1);

      // Then a version arriving after the retention is queued again: the retention bounds the no-duplicates promise
      driver.pipe(nextVersion(old, Duration.ofHours(2)).build());
      assertThat(driver.items()).extracting(ReviewItem::getTraceId).containsExactly(old.getTraceId());
    }
  }

  @Test
  void theSweepWalksAStoreLargerThanOneSliceAndForgetsAllThatIsOld() {
    ReviewConfig.State hour = new ReviewConfig.State(Duration.ofHours(1), Duration.ofMinutes(1), 20);
    try (ReviewDriver driver = new ReviewDriver(only(ReviewReason.FAILED_EVALUATION), hour)) {
      int old = 50;
      for (int n = 0; n < old; n++) {
        driver.pipe(failedTrace(n).build());
      }
      assertThat(driver.items()).hasSize(old);

      // a few minutes of traffic three hours later: one sweep per minute, each a slice of 20, resuming where the last stopped
      for (int minute = 0; minute < 5; minute++) {
        driver.pipe(failedTrace(3 * 3600 + minute * 60L).build());
      }

      assertThat(driver.counter("llmtrace_review_forgotten")).isEqualTo(old);
      // the new traces are still remembered: their next versions are duplicates
      driver.pipe(nextVersion(failedTrace(3 * 3600).build(), Duration.ofMinutes(5)).build());
      assertThat(driver.counter("llmtrace_review_duplicates", "reason", "failed_evaluation")).isEqualTo(1);
    }
  }
}

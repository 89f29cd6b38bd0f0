package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.Feedback;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.RetrievedDocument;
import io.llmtrace.schemas.avro.Retrieval;
import io.llmtrace.schemas.avro.SpanEvent;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolExecution;
import io.llmtrace.schemas.testing.TestSpans;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {

  static final String EMAIL = "jane.doe@example.com";
  static final String CARD = "4111 1111 1111 1111";
  static final String KEY = "AKIAIOSFODNN7EXAMPLE";

  static final String POLICY = """
      version: test-v1
      hash_key: test-key-0123456789abcdef
      detectors:
        email: mask
        private_key: drop
      attributes:
        blocked_key_patterns: ['(?i)(.*[._-])?(password|secret|token|api[_-]?key)']
        blocked_key_action: mask
      hash_user_ids: true
      canaries: ['canary@example.com', 'sk_live_canary0000']
      tenants:
        strict:
          attributes:
            allowed_keys: [http.route]
        hashing:
          detectors:
            email: hash
        dropping:
          detectors:
            email: drop
      """;

  final Redactor redactor = new Redactor(RedactionPolicyTest.parse(POLICY));

  /** A span with an e-mail in every free-text field the issue lists, and a card in each message. */
  static LlmSpan secretEverywhere(String tenant) {
    String s = "contact " + EMAIL + " now";
    LlmSpan span = TestSpans.fullyPopulated();
    span.setTenantId(tenant);
    span.setRequestId(s);
    span.setErrorMessage(s);
    span.setPrompt(PromptInfo.newBuilder()
        .setName(s)
        .setVariables(new HashMap<>(Map.of("customer", s)))
        .setMessages(new ArrayList<>(List.of(
            Message.newBuilder().setRole("user").setContent("pay with " + CARD + " " + s).build())))
        .build());
    span.setOutput(LlmOutput.newBuilder()
        .setText(s)
        .setStructuredOutputJson("{\"email\":\"" + EMAIL + "\"}")
        .setToolCalls(new ArrayList<>(List.of(ToolCall.newBuilder().setName("lookup").setArgumentsJson("{\"q\":\"" + EMAIL + "\"}").build())))
        .build());
    span.setToolExecution(ToolExecution.newBuilder().setName("lookup").setArgumentsJson(s).setResultContent(s).build());
    span.setRetrieval(Retrieval.newBuilder().setQuery(s)
        .setDocuments(new ArrayList<>(List.of(RetrievedDocument.newBuilder().setDocId("d1").setContent(s).build())))
        .build());
    span.setEvaluations(new ArrayList<>(List.of(Evaluation.newBuilder().setEvaluatorName("e").setExplanation(s).build())));
    span.setFeedback(new ArrayList<>(List.of(Feedback.newBuilder().setKind("thumbs").setComment(s).build())));
    span.setAttributes(new HashMap<>(Map.of("http.route", "/v1/chat", "customer.email", s, EMAIL, "key-is-an-email")));
    span.setEvents(new ArrayList<>(List.of(SpanEvent.newBuilder().setName("retry").setTime(TestSpans.START)
        .setAttributes(new HashMap<>(Map.of("note", s))).build())));
    return span;
  }

  static List<String> allStrings(LlmSpan span) {
    List<String> out = new ArrayList<>();
    SpanStrings.forEach(span, out::add);
    return out;
  }

  @Test
  void everyTextFieldIsRedactedAndCounted() {
    LlmSpan raw = secretEverywhere("tenant-acme");

    LlmSpan red = redactor.redact(raw);

    assertThat(String.join("\n", allStrings(red))).doesNotContain(EMAIL).doesNotContain(CARD).contains("[REDACTED:EMAIL]");
    // 17 e-mails: request_id, error, prompt name/variable/message, output text/json/tool args,
    // tool execution args/result, retrieval query/document, evaluation, feedback, attribute value and key, event.
    assertThat(red.getRedaction().getCountsByDetector()).containsEntry("email", 17).containsEntry("payment_card", 1);
    assertThat(red.getRedaction().getPolicyVersion()).isEqualTo("test-v1");
    assertThat(red.getRedaction().getApplied()).isTrue();
    assertThat(allStrings(raw)).anyMatch(s -> s.contains(EMAIL)); // input untouched
  }

  @Test
  void joinIdentifiersAreNotScanned() {
    LlmSpan raw = TestSpans.minimal();
    raw.setProjectId("10.0.0.1");
    raw.setTraceId("4111111111111111");

    LlmSpan red = redactor.redact(raw);

    assertThat(red.getProjectId()).isEqualTo("10.0.0.1");
    assertThat(red.getTraceId()).isEqualTo("4111111111111111");
    assertThat(red.getSpanId()).isEqualTo(raw.getSpanId());
    assertThat(red.getTenantId()).isEqualTo(raw.getTenantId());
    assertThat(red.getRedaction().getCountsByDetector()).isEmpty();
  }

  @Test
  void blockedKeyValuesAreMaskedWhateverTheyLookLike() {
    LlmSpan raw = TestSpans.minimal();
    raw.setAttributes(new HashMap<>(Map.of("db.password", "plainword", "http.route", "/x", "gen_ai.usage.input_tokens", "12")));

    LlmSpan red = redactor.redact(raw);

    assertThat(red.getAttributes())
        .containsEntry("db.password", "[REDACTED:BLOCKED_KEY]")
        .containsEntry("http.route", "/x")
        .containsEntry("gen_ai.usage.input_tokens", "12");
    assertThat(red.getRedaction().getCountsByDetector()).containsEntry("blocked_key", 1);
  }

  @Test
  void allowlistModeFailsClosedForThatTenantOnly() {
    LlmSpan raw = secretEverywhere("strict");

    LlmSpan red = redactor.redact(raw);

    assertThat(red.getAttributes()).containsOnlyKeys("http.route");
    assertThat(red.getEvents().get(0).getAttributes()).isEmpty();
    assertThat(red.getRedaction().getCountsByDetector()).containsEntry(Redactor.NOT_ALLOWED, 3);
    assertThat(redactor.redact(secretEverywhere("other")).getAttributes()).hasSize(3);
  }

  @Test
  void hashGivesStablePseudonymsThatDependOnTheKey() {
    LlmSpan a = redactor.redact(secretEverywhere("hashing"));
    LlmSpan b = redactor.redact(secretEverywhere("hashing"));
    Redactor otherKey = new Redactor(RedactionPolicyTest.parse(POLICY.replace("test-key-0123456789abcdef", "another-key-9876543210")));
    LlmSpan c = otherKey.redact(secretEverywhere("hashing"));

    String pa = a.getOutput().getText().toString();
    assertThat(pa).matches("contact \\[EMAIL:[0-9a-f]{8}] now");
    assertThat(b.getOutput().getText()).isEqualTo(pa);
    assertThat(c.getOutput().getText()).isNotEqualTo(pa).matches("contact \\[EMAIL:[0-9a-f]{8}] now");
    assertThat(a.getUserId()).startsWith("uid_").isEqualTo(b.getUserId()).isNotEqualTo(c.getUserId());
    assertThat(a.getRedaction().getCountsByDetector()).containsEntry("user_id", 1);
  }

  @Test
  void dropRemovesTheWholeValue() {
    LlmSpan red = redactor.redact(secretEverywhere("dropping"));

    assertThat(red.getErrorMessage()).isNull();
    assertThat(red.getOutput().getText()).isNull();
    assertThat(red.getPrompt().getVariables()).doesNotContainKey("customer");
    assertThat(red.getAttributes()).containsOnlyKeys("http.route");
    assertThat(red.getRequestId()).isNull();
    assertThat(String.join("\n", allStrings(red))).doesNotContain(EMAIL);
  }

  @Test
  void dropOnNonNullableStringLeavesAnEmptyString() {
    LlmSpan raw = TestSpans.minimal();
    raw.setName("key -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----");

    assertThat(redactor.redact(raw).getName()).isEmpty();
  }

  @Test
  void canariesAreFoundBeforeAndNotAfter() {
    Canaries canaries = Canaries.of(redactor.policy());
    LlmSpan raw = TestSpans.minimal();
    raw.setErrorMessage("test traffic canary@example.com");
    raw.setAttributes(new LinkedHashMap<>(Map.of("k", "sk_live_canary0000")));

    assertThat(canaries.findIn(raw)).containsExactly("canary@example.com", "sk_live_canary0000");
    assertThat(canaries.findIn(redactor.redact(raw))).isEmpty();
  }

  @Test
  void inPlaceGivesTheSameSpanAsTheCopy() {
    for (String tenant : List.of("tenant-acme", "strict", "hashing", "dropping")) {
      LlmSpan raw = secretEverywhere(tenant);
      LlmSpan copy = redactor.redact(raw);
      LlmSpan same = redactor.redactInPlace(raw);

      assertThat(same).isSameAs(raw).isEqualTo(copy);
    }
  }

  @Test
  void redactingTwiceChangesNothingMore() {
    LlmSpan once = redactor.redact(secretEverywhere("tenant-acme"));
    LlmSpan twice = redactor.redact(once);

    // user ids are pseudonymized again (a replayed redacted span is not the expected input); the rest is stable.
    twice.setUserId(once.getUserId());
    LlmSpan twiceCounts = LlmSpan.newBuilder(twice).build();
    twice.setRedaction(once.getRedaction());
    assertThat(allStrings(twice)).containsExactlyInAnyOrderElementsOf(allStrings(once));
    assertThat(twiceCounts.getRedaction().getCountsByDetector()).containsOnlyKeys("user_id");
  }
}

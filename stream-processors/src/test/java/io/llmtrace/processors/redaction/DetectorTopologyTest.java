package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.redact.PolicyScrubber;
import io.llmtrace.processors.redact.StageDriver;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.testing.TestSpans;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every detector of the shipped policy (deploy/config/redaction-policy.yaml) through the real stage:
 * the Avro bytes a producer writes go in, the redacted topic's span comes out. {@link DetectorsTest}
 * holds the same positives against the detectors alone; this is what the deployment does with them
 * (the policy's actions, priorities between overlapping detectors, the in-place path, the serdes).
 */
class DetectorTopologyTest {

  static final Path SHIPPED_POLICY = Path.of("..", "deploy", "config", "redaction-policy.yaml");

  private static StageDriver stage;

  @BeforeAll
  static void start() {
    stage = new StageDriver("detector-topology-test", PolicyScrubber.fromFile(SHIPPED_POLICY, RedactionPolicyTest.ENV::get));
  }

  @AfterAll
  static void stop() {
    stage.close();
  }

  /**
   * Positives of {@link DetectorsTest} whose region a detector listed earlier in the policy also finds,
   * so the stage counts it under that one (the region is redacted all the same): "+4915112345678" is
   * also 13 Luhn-valid digits with a Visa prefix.
   */
  private static final Map<String, String> COUNTED_UNDER = Map.of("E.164 +4915112345678", "payment_card");

  /** detector, text, the secret that must not come out: {@link DetectorsTest}'s and the custom ones. */
  static Stream<Arguments> positives() {
    Stream<Arguments> builtIn = DetectorsTest.positives().map(a -> {
      Object[] args = a.get();
      return Arguments.of(COUNTED_UNDER.getOrDefault((String) args[1], (String) args[0]), args[1], args[2]);
    });
    return Stream.concat(builtIn, Stream.of(
        Arguments.of("internal_account_id", "refund to acct-00417733 today", "acct-00417733")));
  }

  /** The kinds of text the issue names as hard negatives; each must come out exactly as it went in. */
  static Stream<String> hardNegatives() {
    return Stream.of(
        // order numbers
        "order ORD-2024-000123 shipped",
        "order #100234567 and PO 4500012345 invoiced",
        "order 1234567812345678 confirmed",
        // UUIDs
        "request 123e4567-e89b-12d3-a456-426614174000 done",
        "id 550E8400-E29B-41D4-A716-446655440000",
        // ISO timestamps
        "at 2026-06-04T14:12:00.123456Z retried",
        "at 2026-06-04T14:12:00+02:00 and 2026-06-04 14:12:00.123",
        "window 2026-06-04T14:12:00Z/2026-06-04T15:12:00Z",
        // version strings
        "upgraded to 1.2.3 from 1.2.2",
        "client v2.10.4 (build 20260604)",
        "version 10.0.0.1 and v4.3.2.1 released",
        // Luhn-invalid 16-digit numbers
        "card 4111 1111 1111 1112 declined",
        "pan 4111111111111112 and 5555-5555-5555-4445",
        // 40-hex git SHAs
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 merged",
        "aws deploy at sha 1b2c3d4e5f60718293a4b5c6d7e8f90123456789",
        "secret rotation in 3f786850e387550fdab836ed7e6dc881de23001b");
  }

  @ParameterizedTest(name = "{0}: \"{1}\"")
  @MethodSource("positives")
  void theStageRedactsEachDetectorsPositive(String detector, String text, String secret) {
    LlmSpan out = throughTheStage(text);

    assertThat(RedactorTest.allStrings(out)).as("strings of the redacted span").noneMatch(s -> s.contains(secret));
    assertThat(out.getRedaction().getCountsByDetector()).as("redaction counts").containsKey(detector);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("hardNegatives")
  void theStageLeavesHardNegativesAlone(String text) {
    LlmSpan out = throughTheStage(text);

    assertThat(out.getPrompt().getMessages().get(0).getContent()).isEqualTo(text);
    assertThat(out.getErrorMessage()).isEqualTo(text);
    assertThat(out.getRedaction().getCountsByDetector().keySet()).as("redaction counts").doesNotContainAnyElementsOf(detectorNames());
  }

  @Test
  void everyDetectorOfTheShippedPolicyHasAPositive() {
    Set<String> covered = new TreeSet<>();
    positives().forEach(a -> covered.add((String) a.get()[0]));

    assertThat(covered).containsAll(detectorNames()).containsAll(BuiltInDetectors.names());
  }

  /** The built-in detectors and the shipped policy's custom ones. */
  private static Set<String> detectorNames() {
    Set<String> names = new TreeSet<>(BuiltInDetectors.names());
    RedactionPolicy policy = RedactionPolicy.parse(read(SHIPPED_POLICY), SHIPPED_POLICY.toString(), RedactionPolicyTest.ENV::get);
    policy.base().detectors().forEach(d -> names.add(d.name()));
    return names;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text in a prompt message and the error message of an otherwise minimal span. */
  private static LlmSpan throughTheStage(String text) {
    LlmSpan span = TestSpans.minimal();
    span.setErrorMessage(text);
    span.setPrompt(PromptInfo.newBuilder()
        .setMessages(new ArrayList<>(List.of(Message.newBuilder().setRole("user").setContent(text).build())))
        .build());
    stage.pipe(span);
    List<LlmSpan> out = stage.redacted.readValuesToList();
    assertThat(stage.quarantine.isEmpty()).as("quarantined").isTrue();
    assertThat(stage.dlq.isEmpty()).as("dead-lettered").isTrue();
    assertThat(out).hasSize(1);
    return out.get(0);
  }
}

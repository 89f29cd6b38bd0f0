package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.redact.PolicyScrubber;
import io.llmtrace.processors.redact.StageDriver;
import io.llmtrace.schemas.avro.LlmSpan;
import org.junit.jupiter.api.Test;

/** The real policy through the real topology: every field path comes out of the stage redacted. */
class PolicyTopologyTest {

  @Test
  void everyFieldPathIsRedactedOnTheWayThroughTheStage() {
    PolicyScrubber scrubber = new PolicyScrubber(RedactionPolicyTest.parse(RedactorTest.POLICY));
    try (StageDriver stage = new StageDriver("policy-topology-test", scrubber)) {
      stage.pipe(RedactorTest.secretEverywhere("tenant-acme"));

      LlmSpan out = stage.redacted.readValue();
      assertThat(String.join("\n", RedactorTest.allStrings(out))).doesNotContain(RedactorTest.EMAIL).doesNotContain(RedactorTest.CARD);
      assertThat(out.getRedaction().getCountsByDetector()).containsEntry("email", 17).containsEntry("payment_card", 1);
      assertThat(stage.quarantine.isEmpty()).isTrue();
    }
  }
}

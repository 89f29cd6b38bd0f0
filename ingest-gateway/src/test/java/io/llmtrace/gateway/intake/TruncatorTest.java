package io.llmtrace.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.testing.TestSpans;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TruncatorTest {

  @Test
  void cutsEveryOverlongStringWherePossibleAndListsTheFields() {
    LlmSpan span = TestSpans.fullyPopulated();
    String huge = "x".repeat(5000);
    span.getOutput().setText(huge);
    span.getRetrieval().getDocuments().get(0).setContent(huge);
    Map<String, String> attributes = new HashMap<>(span.getAttributes());
    attributes.put("big", huge);
    span.setAttributes(attributes);

    new Truncator(1000).truncate(span);

    assertThat(span.getOutput().getText()).hasSize(1000 + "…[truncated 4000 chars]".length()).endsWith("…[truncated 4000 chars]");
    assertThat(span.getRetrieval().getDocuments().get(0).getContent()).startsWith("x".repeat(1000)).endsWith("chars]");
    assertThat(span.getAttributes().get("big")).endsWith("…[truncated 4000 chars]");
    assertThat(span.getAttributes().get(Truncator.ATTRIBUTE).split(","))
        .containsExactlyInAnyOrder("output.text", "retrieval.documents[0].content", "attributes['big']");
  }

  @Test
  void leavesShortSpansUntouched() {
    LlmSpan span = TestSpans.fullyPopulated();
    LlmSpan copy = LlmSpan.newBuilder(span).build();
    assertThat(new Truncator(100_000).truncate(span)).isEmpty();
    assertThat(span).isEqualTo(copy);
  }
}

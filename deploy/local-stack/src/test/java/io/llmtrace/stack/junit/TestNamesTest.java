package io.llmtrace.stack.junit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TestNamesTest {

  @Test
  void topicAndTableNamesAreLegalReadableAndUnique() {
    TestNames a = new TestNames("SerdeRoundTripIT.writes$Span");
    TestNames b = new TestNames("SerdeRoundTripIT.writes$Span");
    assertThat(a.topic("raw")).matches("SerdeRoundTripIT\\.writes_Span\\.raw\\.[0-9a-f]+");
    assertThat(a.table("spans")).matches("serde_round_trip_it_writes_span_spans_[0-9a-f]+");
    assertThat(a.topic("raw")).isNotEqualTo(b.topic("raw"));
    assertThat(a.topic("raw")).isEqualTo(a.topic("raw"));
  }
}

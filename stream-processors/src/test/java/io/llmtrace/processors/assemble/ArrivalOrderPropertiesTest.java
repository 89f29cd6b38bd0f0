package io.llmtrace.processors.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.testing.TestTraces;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Any arrival order, with any duplicates, gives the summary in-order arrival gives — through the real
 * topology: one random trace is piped in order under one trace id and shuffled with duplicates under
 * another, interleaved with it, and the two summaries must be equal but for the id.
 */
class ArrivalOrderPropertiesTest {

  @Property(tries = 60)
  void shuffledAndDuplicatedArrivalGivesTheInOrderSummary(@ForAll long seed) {
    Random random = new Random(seed);
    String inOrderId = String.format("%032x", random.nextLong() & Long.MAX_VALUE);
    String shuffledId = "f" + inOrderId.substring(1);
    Instant start = AssemblyDriver.T0.minusSeconds(30);
    List<LlmSpan> inOrder = TestTraces.random(new Random(seed), inOrderId, start);
    List<LlmSpan> shuffled = new ArrayList<>();
    for (LlmSpan span : TestTraces.random(new Random(seed), inOrderId, start)) {
      shuffled.add(LlmSpan.newBuilder(span).setTraceId(shuffledId).build());
    }
    int duplicates = random.nextInt(4);
    for (int i = 0; i < duplicates; i++) {
      shuffled.add(LlmSpan.newBuilder(shuffled.get(random.nextInt(inOrder.size()))).build());
    }
    Collections.shuffle(shuffled, random);

    try (AssemblyDriver driver = new AssemblyDriver()) {
      for (int i = 0; i < Math.max(inOrder.size(), shuffled.size()); i++) {
        if (i < inOrder.size()) {
          driver.pipe(inOrder.get(i), i);
        }
        if (i < shuffled.size()) {
          driver.pipe(shuffled.get(i), i);
        }
      }
      driver.advanceWallClock(Duration.ofMinutes(10));

      List<TraceSummary> out = driver.traces.readValuesToList();
      assertThat(out).extracting(TraceSummary::getTraceId).containsExactlyInAnyOrder(inOrderId, shuffledId);
      TraceSummary expected = out.stream().filter(t -> t.getTraceId().equals(inOrderId)).findFirst().orElseThrow();
      TraceSummary actual = out.stream().filter(t -> t.getTraceId().equals(shuffledId)).findFirst().orElseThrow();
      actual.setTraceId(inOrderId);
      assertThat(actual).isEqualTo(expected);
      assertThat(expected.getSpanCount()).isEqualTo(inOrder.size());
    }
  }
}

package io.llmtrace.processors.redaction;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.testing.TestSpans;
import java.util.ArrayList;
import java.util.List;

/**
 * Rough single-thread throughput of {@link Redactor#redact} on ~1 KB and ~16 KB spans (not a test,
 * no timed assertions; JMH comes with the benchmark issue). Run:
 * {@code java -cp <test classpath> io.llmtrace.processors.redaction.RedactionThroughput}.
 */
public final class RedactionThroughput {

  public static void main(String[] args) {
    Redactor redactor = new Redactor(RedactionPolicy.loadDefault(RedactionPolicyTest.ENV::get));
    for (int kb : new int[] {1, 16}) {
      LlmSpan span = spanOfSize(kb * 1024);
      long bytes = textBytes(span);
      for (int round = 0; round < 3; round++) {
        int n = kb == 1 ? 100_000 : 8_000;
        long t0 = System.nanoTime();
        int sink = 0;
        for (int i = 0; i < n; i++) {
          sink += redactor.redact(span).getRedaction().getCountsByDetector().size();
        }
        long ns = System.nanoTime() - t0;
        System.out.printf("%2d KB span (%d text bytes): %.1f MB/s, %.0f spans/s, %.1f us/span (sink %d)%n",
            kb, bytes, bytes * (double) n / (ns / 1e9) / 1e6, n / (ns / 1e9), ns / 1e3 / n, sink);
      }
    }
  }

  /** A realistic chat span: prose, JSON tool results and log lines, with a few PII values. */
  static LlmSpan spanOfSize(int target) {
    String[] chunks = {
      "The customer asked whether the annual plan can be refunded after 20 days. ",
      "{\"plan\":\"annual\",\"status\":\"active\",\"seats\":12,\"renewal\":\"2026-09-01\"} ",
      "2026-06-04T14:12:00.123Z INFO retrieval returned 4 chunks in 38 ms from help_center_index_v12. ",
      "Policy section 4.2 says refunds are possible within 30 days of purchase. ",
      "Contact jane.doe@example.com or call +44 20 7946 0958 for escalations. "
    };
    LlmSpan span = TestSpans.fullyPopulated();
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (sb.length() < target / 2) {
      sb.append(chunks[i++ % chunks.length]);
    }
    List<io.llmtrace.schemas.avro.Message> msgs = new ArrayList<>(span.getPrompt().getMessages());
    msgs.add(io.llmtrace.schemas.avro.Message.newBuilder().setRole("user").setContent(sb.toString()).build());
    span.getPrompt().setMessages(msgs);
    span.getOutput().setText(sb.substring(0, Math.max(0, target - (int) textBytes(span))));
    return span;
  }

  static long textBytes(LlmSpan span) {
    long[] n = {0};
    SpanStrings.forEach(span, s -> n[0] += s.length());
    return n[0];
  }
}

package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.IntakeLimits;
import io.llmtrace.gateway.intake.SpanIntake;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.testing.TestSpans;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.function.UnaryOperator;

/**
 * Rough single-thread cost of decoding the benchmark's payload (batches of 10 LLM spans of ~1.2 KB),
 * against Jackson merely tokenising the same bytes. Not a test and not a JMH benchmark: run it by hand
 * on a quiet machine, e.g. {@code java -cp <test classpath> io.llmtrace.gateway.nativejson.NativeDecodeBench}.
 */
public final class NativeDecodeBench {

  private static final int SPANS_PER_BATCH = 10;

  private NativeDecodeBench() {}

  public static void main(String[] args) throws IOException {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
    byte[] body = batch();
    SpanIntake intake = new SpanIntake(IntakeLimits.defaults(), Clock.fixed(TestSpans.START.plusSeconds(60), ZoneOffset.UTC));
    NativeSpanDecoder decoder = new NativeSpanDecoder(intake);
    DecodedBatch check = decoder.decode(body);
    if (check.accepted().size() != SPANS_PER_BATCH) {
      throw new IllegalStateException("benchmark payload rejected: " + check.rejected());
    }
    System.out.printf("body %d bytes, %d bytes per span%n", body.length, body.length / SPANS_PER_BATCH);
    JsonFactory json = new JsonFactory();
    for (int round = 0; round < 2; round++) {
      String label = round == 0 ? "warm-up " : "measured";
      report(label + " tokenise only", seconds, () -> {
        try (JsonParser parser = json.createParser(body)) {
          while (parser.nextToken() != null) {
            if (parser.currentToken().isScalarValue()) {
              parser.getText();
            }
          }
        }
      });
      report(label + " decode + admit", seconds, () -> decoder.decode(body));
      // The shared truncation and validation alone, on spans already decoded (nothing to cut: idempotent).
      report(label + " admit only", seconds, () -> {
        for (int i = 0; i < SPANS_PER_BATCH; i++) {
          intake.admit(check.accepted().get(i), i, "$.spans[0]", UnaryOperator.identity());
        }
      });
    }
  }

  private interface Work {
    void run() throws IOException;
  }

  private static void report(String label, long seconds, Work work) throws IOException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long batches = 0;
    long began = System.nanoTime();
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < 100; i++) {
        work.run();
      }
      batches += 100;
    }
    double micros = (System.nanoTime() - began) / 1_000.0 / (batches * SPANS_PER_BATCH);
    System.out.printf("%-32s %6.2f µs/span  (%,.0f spans/s on one thread)%n", label, micros, 1_000_000 / micros);
  }

  /** Ten copies of the RAG trace's LLM span with distinct trace ids: prompt, model, usage, cost; ~1.2 KB. */
  private static byte[] batch() {
    LlmSpan[] spans = new LlmSpan[SPANS_PER_BATCH];
    for (int i = 0; i < spans.length; i++) {
      LlmSpan span = TestSpans.ragTrace(TestSpans.traceId(i), TestSpans.START).get(2);
      span.getGenerationSettings().setTools(new ArrayList<>()); // brings the span to ~1.2 KB
      span.getAttributes().put("http.route", "/v1/chat");
      spans[i] = span;
    }
    return NativeJson.batch(NativeJson.Times.RFC3339, spans);
  }
}

package io.llmtrace.bench;

import io.llmtrace.processors.redaction.RedactionPolicy;
import io.llmtrace.processors.redaction.Redactor;
import io.llmtrace.processors.redaction.SpanStrings;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.SpanKind;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificData;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Single-thread throughput of {@link Redactor#redactInPlace} (what the redaction stage runs on the
 * span it just deserialized) and of {@link Redactor#redact} (the same plus an Avro deep copy, for
 * callers that keep the original) with the default policy on a ~1 KB and a
 * ~16 KB chat span (prose, JSON tool output, log lines, with an e-mail, a phone number, an API key
 * and a password among them). Score is spans/s; MB/s = score × {@link #textBytes} / 1e6 (the text
 * size is printed at setup). Run (after {@code mvn -B -DskipTests -pl deploy/benchmarks -am package}):
 * {@code java -cp deploy/benchmarks/target/classes:$(cat deploy/benchmarks/target/runtime.classpath)
 * org.openjdk.jmh.Main RedactionBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class RedactionBenchmark {

  private static final String[] CHUNKS = {
    "The customer asked whether the annual plan can be refunded after 20 days. ",
    "{\"plan\":\"annual\",\"status\":\"active\",\"seats\":12,\"renewal\":\"2026-09-01\"} ",
    "2026-06-04T14:12:00.123Z INFO retrieval returned 4 chunks in 38 ms from help_center_index_v12. ",
    "Policy section 4.2 says refunds are possible within 30 days of purchase (see doc 1.4.7). ",
    "Contact jane.doe@example.com or call +44 20 7946 0958 for escalations. ",
    "GET /v1/accounts/8812/invoices?limit=20 200 in 41 ms, upstream 10.0.3.17:8443. ",
    "The assistant summarised: the invoice total was 1,240.00 EUR for 3 seats, billed monthly. ",
    "config dump: region=eu-west-1 retries=3 password=hunter2-Prod! timeout_ms=2500 ",
    "tool call crm_lookup(account=\"ACME-44\") returned owner Jane Doe, tier enterprise. ",
    "debug: using key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z for the embeddings call. ",
  };

  @Param({"1", "16"})
  public int kb;

  /** Characters of text in the span (all strings the redactor scans). */
  public long textBytes;

  private Redactor redactor;
  private LlmSpan span;

  @Setup(Level.Trial)
  public void setUp() {
    redactor = new Redactor(RedactionPolicy.loadDefault(
        name -> name.equals("LLMTRACE_REDACTION_HASH_KEY") ? "bench-key-0123456789abcdef" : System.getenv(name)));
    span = spanOfSize(kb * 1024);
    long[] n = {0};
    SpanStrings.forEach(span, s -> n[0] += s.length());
    textBytes = n[0];
    System.out.printf("%n[RedactionBenchmark] kb=%d text chars=%d%n", kb, textBytes);
  }

  @Benchmark
  public LlmSpan redact() {
    return redactor.redact(span);
  }

  @Benchmark
  public LlmSpan redactInPlace(FreshSpan fresh) {
    return redactor.redactInPlace(fresh.span);
  }

  /**
   * An unredacted copy for every call, made outside the measured time. Per-invocation setup costs
   * JMH two timestamps per call (well under 1% of a redaction of even the 1 KB span).
   */
  @State(Scope.Thread)
  public static class FreshSpan {
    LlmSpan span;

    @Setup(Level.Invocation)
    public void copy(RedactionBenchmark bench) {
      span = SpecificData.get().deepCopy(LlmSpan.getClassSchema(), bench.span);
    }
  }

  static LlmSpan spanOfSize(int target) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < target - 200; i++) {
      sb.append(CHUNKS[i % CHUNKS.length]);
    }
    String text = sb.toString();
    int half = text.lastIndexOf(". ", text.length() / 2) + 2;
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("http.route", "/v1/chat");
    attributes.put("queue_ms", "35");
    Instant start = Instant.parse("2026-06-04T14:12:00.123456Z");
    return LlmSpan.newBuilder()
        .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736")
        .setSpanId("00f067aa0ba902b7")
        .setTenantId("tenant-acme")
        .setKind(SpanKind.LLM)
        .setName("chat.completions")
        .setStartTime(start)
        .setEndTime(start.plusMillis(812))
        .setPrompt(PromptInfo.newBuilder()
            .setName("support_refund_policy")
            .setMessages(List.of(
                Message.newBuilder().setRole("system").setContent("You answer refund questions.").build(),
                Message.newBuilder().setRole("user").setContent(text.substring(0, half)).build()))
            .build())
        .setOutput(LlmOutput.newBuilder().setText(text.substring(half)).build())
        .setAttributes(new LinkedHashMap<>(attributes))
        .build();
  }
}

package io.llmtrace.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmtrace.gateway.Gateway;
import io.llmtrace.gateway.GatewayConfig;
import io.llmtrace.processors.assemble.AssemblyApp;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.processors.redact.RedactionApp;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.sink.ClickHouseSink;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed article's support-ticket workflow, sent by the official OpenTelemetry Java SDK through the
 * whole pipeline (gateway → raw → redaction → redacted → assembly → traces → sink → ClickHouse), ends as
 * one {@code traces} row: outcome RESCUED (the first draft failed the policy check, the retry with prompt
 * v35 passed), with its span counts, tokens and cost — the cost computed by the enrichment stage from list
 * prices, since the SDK reports none.
 */
@ExtendWith(LocalStackExtension.class)
class SupportTicketPipelineIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "llmtrace-local-dev-key";

  @Test
  void supportTicketTraceFromTheOtelSdkEndsAsOneRescuedTraceRow(StackEndpoints stack, TestNames names) throws Exception {
    Path repo = Path.of("..", "..").toAbsolutePath().normalize();
    String raw = names.topic("raw");
    String redacted = names.topic("redacted");
    String traces = names.topic("traces");
    String database = names.table("e2e");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(raw, redacted, traces, names.topic("dlq"), names.topic("quarantine"), names.topic("events")).stream()
          .map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get();
    }
    Map<String, String> common = new HashMap<>(Map.of(
        "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.topics.raw", raw,
        "llmtrace.topics.redacted", redacted,
        "llmtrace.topics.traces", traces,
        "llmtrace.topics.dead-letters", names.topic("dlq"),
        "llmtrace.topics.quarantine", names.topic("quarantine"),
        "llmtrace.topics.redaction-events", names.topic("events"),
        "llmtrace.streams.state.dir", Files.createTempDirectory("e2e-state").toString()));
    Map<String, String> redaction = new HashMap<>(common);
    redaction.putAll(Map.of("llmtrace.redaction.application-id", names.group("redaction"), "llmtrace.redaction.admin.port", "0",
        "llmtrace.redaction.policy-file", repo.resolve("deploy/config/redaction-policy.yaml").toString(),
        "llmtrace.enrichment.price-table", repo.resolve("deploy/config/model-prices.yaml").toString(),
        "llmtrace.redaction.hash-key", "e2e-test-hash-key-0123456789"));
    Map<String, String> assembly = new HashMap<>(common);
    assembly.putAll(Map.of("llmtrace.assembly.application-id", names.group("assembly"), "llmtrace.assembly.admin.port", "0",
        "llmtrace.assembly.inactivity-gap", "2s", "llmtrace.assembly.punctuate-interval", "200ms"));
    Map<String, String> sink = new HashMap<>(common);
    sink.putAll(Map.of("llmtrace.clickhouse.url", stack.clickhouseUrl(), "llmtrace.clickhouse.database", database,
        "llmtrace.sink.group-id", names.group("sink"), "llmtrace.sink.admin.host", "127.0.0.1", "llmtrace.sink.admin.port", "0"));
    Map<String, String> gateway = new HashMap<>(common);
    gateway.putAll(Map.of("llmtrace.gateway.host", "127.0.0.1", "llmtrace.gateway.port", "0",
        "llmtrace.gateway.api-keys-file", repo.resolve("deploy/config/api-keys.local.yaml").toString()));

    try (StreamsRunner redact = RedactionApp.start(Settings.of(redaction));
        StreamsRunner assemble = AssemblyApp.start(Settings.of(assembly));
        ClickHouseSink clickhouse = ClickHouseSink.start(SinkConfig.from(Settings.of(sink)));
        Gateway intake = Gateway.start(GatewayConfig.from(Settings.of(gateway)))) {

      // Given the seed's trace, as an instrumented service's OpenTelemetry SDK exports it
      String traceId = sendSupportTicketTrace("http://127.0.0.1:" + intake.port() + "/v1/traces");

      // Then one traces row, once the trace is assembled and sunk
      String query = "SELECT * FROM traces FINAL WHERE trace_id = '" + traceId + "' FORMAT JSONEachRow";
      List<JsonNode> rows = new ArrayList<>();
      Await.until(Duration.ofSeconds(120), "the trace in ClickHouse", () -> {
        rows.clear();
        rows.addAll(select(stack.clickhouseUrl(), database, query));
        return !rows.isEmpty();
      });
      assertThat(rows).hasSize(1);
      JsonNode row = rows.get(0);
      assertThat(row.get("outcome").asText()).isEqualTo("RESCUED");
      assertThat(row.get("version").asLong()).isEqualTo(1);
      assertThat(row.get("tenant_id").asText()).isEqualTo("local");
      assertThat(row.get("feature_name").asText()).isEqualTo("support_chatbot");
      assertThat(row.get("root_span_name").asText()).isEqualTo("support_ticket");
      assertThat(row.get("span_count").asInt()).isEqualTo(7);
      assertThat(row.get("llm_calls").asInt()).isEqualTo(3);
      assertThat(row.get("retrieval_calls").asInt()).isEqualTo(1);
      assertThat(row.get("retries").asInt()).isEqualTo(1);
      assertThat(row.get("error_count").asInt()).isEqualTo(1);
      assertThat(row.get("policy_check_failures").asInt()).isEqualTo(1);
      assertThat(row.get("input_tokens").asLong()).isEqualTo(420 + 2_400 + 2_600);
      assertThat(row.get("output_tokens").asLong()).isEqualTo(12 + 380 + 410);
      assertThat(row.get("unknown_cost_spans").asInt()).isZero();
      // gpt-4.1-mini at 0.40 / 1.60 USD per million tokens (deploy/config/model-prices.yaml), claude-3-5-sonnet at
      // 3 / 15 (the bundled genai-prices table)
      double expected = (420 * 0.40 + 12 * 1.60 + 5_000 * 3.0 + 790 * 15.0) / 1e6;
      assertThat(row.get("total_cost").asDouble()).isCloseTo(expected, within(1e-9));
      assertThat(row.get("prompt_versions_used").toString()).contains("support_answer@v34", "support_answer@v35");

      // and the stream apps report it on their admin ports, as Prometheus would scrape them
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + assemble.adminPort() + "/health"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).get("state").asText()).isEqualTo("RUNNING");
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + assemble.adminPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("llmtrace_assembly_traces_emitted_total{application=\"" + names.group("assembly") + "\",version=\"first\"} 1.0")
          .contains("kafka_stream_thread_process_total");
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + redact.adminPort() + "/health")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
  }

  /** The workflow of the seed article; returns its trace id. */
  private static String sendSupportTicketTrace(String endpoint) {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint).addHeader("Authorization", "Bearer " + KEY)
        .build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.builder().put("service.name", "support-api")
            .put("deployment.environment.name", "production").put("service.version", "2026.11.30").build()))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
    Tracer tracer = provider.get("support-ticket-e2e");
    Instant t0 = Instant.now().minusSeconds(10);
    Span root = at(tracer.spanBuilder("support_ticket"), t0, 0).setAttribute("llmtrace.span.kind", "WORKFLOW")
        .setAttribute("llmtrace.feature_name", "support_chatbot").setAttribute("llmtrace.request_id", "ticket-4711").startSpan();
    Context parent = Context.current().with(root);
    llm(tracer, parent, "classify_ticket", t0, 10, 630, "openai", "gpt-4.1-mini", "classify_ticket", "v12", 420, 12);
    end(at(tracer.spanBuilder("retrieve_policy_docs").setParent(parent), t0, 640).setAttribute("llmtrace.span.kind", "RETRIEVAL")
        .startSpan(), t0, 820, StatusCode.OK);
    Span draft = llm(tracer, parent, "draft_response", t0, 830, 2_970, "anthropic", "claude-3-5-sonnet-20241022", "support_answer", "v34",
        2_400, 380);
    Span failedCheck = at(tracer.spanBuilder("policy_check").setParent(parent), t0, 2_980).setAttribute("llmtrace.span.kind", "POLICY_CHECK")
        .setAttribute("gen_ai.evaluation.name", "refund_policy").setAttribute("gen_ai.evaluation.score.value", 0.2)
        .setAttribute("gen_ai.evaluation.score.label", "fail").setAttribute("error.type", "policy_violation").startSpan();
    failedCheck.setStatus(StatusCode.ERROR, "promised refund outside policy");
    failedCheck.end(t0.plusMillis(3_720));
    Span retry = at(tracer.spanBuilder("retry_draft_response").setParent(parent), t0, 3_730)
        .setAttribute("gen_ai.provider.name", "anthropic").setAttribute("gen_ai.request.model", "claude-3-5-sonnet-20241022")
        .setAttribute("gen_ai.usage.input_tokens", 2_600L).setAttribute("gen_ai.usage.output_tokens", 410L)
        .setAttribute("llmtrace.prompt.name", "support_answer").setAttribute("llmtrace.prompt.version", "v35")
        .setAttribute("llmtrace.attempt", 2L).setAttribute("llmtrace.retry_of", draft.getSpanContext().getSpanId()).startSpan();
    end(retry, t0, 6_010, StatusCode.OK);
    end(at(tracer.spanBuilder("policy_check").setParent(parent), t0, 6_020).setAttribute("llmtrace.span.kind", "POLICY_CHECK")
        .setAttribute("gen_ai.evaluation.name", "refund_policy").setAttribute("gen_ai.evaluation.score.value", 0.95)
        .setAttribute("gen_ai.evaluation.score.label", "pass").startSpan(), t0, 6_800, StatusCode.OK);
    end(root, t0, 6_900, StatusCode.OK);
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).as("the gateway accepted the spans").isTrue();
    provider.close();
    return root.getSpanContext().getTraceId();
  }

  private static Span llm(Tracer tracer, Context parent, String name, Instant t0, long from, long to, String provider, String model,
      String prompt, String version, long input, long output) {
    Span span = at(tracer.spanBuilder(name).setParent(parent), t0, from).setAttribute("gen_ai.operation.name", "chat")
        .setAttribute("gen_ai.provider.name", provider).setAttribute("gen_ai.request.model", model)
        .setAttribute("gen_ai.usage.input_tokens", input).setAttribute("gen_ai.usage.output_tokens", output)
        .setAttribute("llmtrace.prompt.name", prompt).setAttribute("llmtrace.prompt.version", version).startSpan();
    end(span, t0, to, StatusCode.OK);
    return span;
  }

  private static SpanBuilder at(SpanBuilder builder, Instant t0, long millis) {
    return builder.setStartTimestamp(t0.plusMillis(millis));
  }

  private static void end(Span span, Instant t0, long millis, StatusCode status) {
    span.setStatus(status);
    span.end(t0.plusMillis(millis));
  }

  private static List<JsonNode> select(String clickhouseUrl, String database, String query) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(clickhouseUrl + "/?database="
          + database)).POST(HttpRequest.BodyPublishers.ofString(query)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return List.of(); // the table may not exist yet
      }
      List<JsonNode> rows = new ArrayList<>();
      for (String line : response.body().split("\n")) {
        if (!line.isBlank()) {
          rows.add(JSON.readTree(line));
        }
      }
      return rows;
    } catch (Exception e) {
      return List.of();
    }
  }
}

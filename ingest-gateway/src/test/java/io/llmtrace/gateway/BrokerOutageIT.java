package io.llmtrace.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.Stack;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The durability promise under a broker outage: while Kafka is down the gateway answers 503 with
 * Retry-After within its bounded wait, and every span of every request that got a 2xx — before,
 * during or after the outage — is on the topic once the broker is back.
 */
@ExtendWith(LocalStackExtension.class)
class BrokerOutageIT {

  private static final int SPANS_PER_REQUEST = 5;

  @Test
  void brokerStoppedMidStreamGives503AndNo2xxForUnwrittenSpans(Stack stack, TestNames names) {
    try (GatewayFixture fixture = new GatewayFixture(stack.endpoints(), names, Map.of("llmtrace.gateway.produce-timeout", "3s"))) {
      List<Sent> sent = new ArrayList<>();
      // Given a steady stream of accepted requests
      while (sent.size() < 20) {
        sent.add(send(fixture));
      }
      assertThat(sent).allSatisfy(s -> assertThat(s.status).isEqualTo(200));

      // When the broker stops
      stack.stopKafka();
      try {
        List<Sent> duringOutage = new ArrayList<>();
        Await.until(Duration.ofSeconds(90), "three 503 answers while Kafka is down", () -> {
          Sent s = send(fixture);
          duringOutage.add(s);
          return duringOutage.stream().filter(x -> x.status == 503).count() >= 3;
        });
        sent.addAll(duringOutage);
        Sent unavailable = duringOutage.stream().filter(x -> x.status == 503).findFirst().orElseThrow();
        assertThat(unavailable.retryAfter).isNotNull();
        assertThat(unavailable.body).contains("\"code\":\"unavailable\"");
        assertThat(duringOutage).allSatisfy(s -> assertThat(s.status).isIn(200, 503));
        assertThat(duringOutage.stream().mapToLong(s -> s.millis).max().orElseThrow())
            .as("every answer within the bounded wait (3 s produce timeout + slack)").isLessThan(10_000);
        assertThat(fixture.get("/readyz").statusCode()).isEqualTo(503);
      } finally {
        // Then, with the broker back, requests succeed again
        stack.startKafka();
      }
      List<Sent> afterOutage = new ArrayList<>();
      Await.until(Duration.ofSeconds(90), "a 200 after Kafka came back", () -> {
        Sent s = send(fixture);
        afterOutage.add(s);
        return s.status == 200;
      });
      sent.addAll(afterOutage);

      // and every span that got a 2xx is durable on the topic
      Set<String> acknowledged = sent.stream().filter(s -> s.status / 100 == 2)
          .flatMap(s -> s.spanIds.stream()).collect(Collectors.toSet());
      List<LlmSpan> onTopic = fixture.readSpans(acknowledged.size());
      Set<String> stored = onTopic.stream().map(LlmSpan::getSpanId).collect(Collectors.toCollection(HashSet::new));
      assertThat(stored).containsAll(acknowledged);
    }
  }

  private static Sent send(GatewayFixture fixture) {
    String traceId = hex(32);
    List<String> spanIds = new ArrayList<>();
    StringBuilder body = new StringBuilder("{\"spans\":[");
    long start = Instant.now().truncatedTo(ChronoUnit.MICROS).toEpochMilli() * 1000;
    for (int i = 0; i < SPANS_PER_REQUEST; i++) {
      String spanId = hex(16);
      spanIds.add(spanId);
      body.append(i == 0 ? "" : ",").append("""
          {"trace_id":"%s","span_id":"%s","name":"chat","kind":"LLM","start_time":%d,"end_time":%d,
           "model":{"provider":"openai","name":"gpt-4o"},"usage":{"input_tokens":100,"output_tokens":20}}"""
          .formatted(traceId, spanId, start, start + 1500));
    }
    body.append("]}");
    long began = System.nanoTime();
    HttpResponse<String> response = fixture.postNative(body.toString().getBytes(StandardCharsets.UTF_8));
    return new Sent(spanIds, response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), response.body(),
        (System.nanoTime() - began) / 1_000_000);
  }

  private static String hex(int chars) {
    StringBuilder out = new StringBuilder(chars);
    for (int i = 0; i < chars; i++) {
      out.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
    }
    return out.toString();
  }

  private record Sent(List<String> spanIds, int status, String retryAfter, String body, long millis) {}
}

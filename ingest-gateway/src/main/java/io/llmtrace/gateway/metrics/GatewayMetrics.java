package io.llmtrace.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What the gateway counts, exposed at {@code GET /metrics} in the Prometheus text format. Alert on
 * the ratio {@code llmtrace_gateway_spans_rejected_total / (accepted + rejected)} per reason (bad
 * producers), on {@code llmtrace_gateway_requests_total{status="503"}} (Kafka trouble: callers are
 * being told to retry) and on the p99 of {@code llmtrace_gateway_produce_seconds}. Release markers
 * ({@code POST /v1/releases}) are counted apart, in {@code llmtrace_gateway_releases_accepted_total} and
 * {@code llmtrace_gateway_releases_rejected_total{reason}}: any rejection there deserves a look, since
 * a deploy script whose markers are refused silently breaks the "before a release" baselines.
 */
public final class GatewayMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer produce;
  private final DistributionSummary requestBytes;

  public GatewayMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    produce = Timer.builder("llmtrace.gateway.produce")
        .description("Time from handing a request's spans to Kafka until all are acknowledged (acks=all)")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    requestBytes = DistributionSummary.builder("llmtrace.gateway.request.bytes")
        .description("Request body size as received (before decompression)")
        .baseUnit("bytes")
        .register(registry);
  }

  public void request(String endpoint, int status) {
    counter("llmtrace.gateway.requests", "endpoint", endpoint, "status", Integer.toString(status)).increment();
  }

  public void accepted(String protocol, int spans) {
    counter("llmtrace.gateway.spans.accepted", "protocol", protocol, null, null).increment(spans);
  }

  public void rejected(String protocol, String reason, int spans) {
    counter("llmtrace.gateway.spans.rejected", "protocol", protocol, "reason", reason).increment(spans);
  }

  public void releaseAccepted() {
    counter("llmtrace.gateway.releases.accepted", null, null, null, null).increment();
  }

  /** @param reason invalid (400/413), environment_forbidden, rate_limited or unavailable */
  public void releaseRejected(String reason) {
    counter("llmtrace.gateway.releases.rejected", "reason", reason, null, null).increment();
  }

  public void requestBytes(long bytes) {
    requestBytes.record(bytes);
  }

  public Timer produce() {
    return produce;
  }

  public String scrape() {
    return registry.scrape();
  }

  private static final java.util.Map<String, String> DESCRIPTIONS = java.util.Map.of(
      "llmtrace.gateway.requests", "Intake requests answered, by endpoint and HTTP status",
      "llmtrace.gateway.spans.accepted", "Spans acknowledged by Kafka and answered with 2xx",
      "llmtrace.gateway.spans.rejected", "Spans not stored, by reason (invalid_span, rate_limited, unavailable)",
      "llmtrace.gateway.releases.accepted", "Release markers acknowledged by Kafka and answered with 202",
      "llmtrace.gateway.releases.rejected",
      "Release markers not stored, by reason (invalid, environment_forbidden, rate_limited, unavailable)");

  private Counter counter(String name, String k1, String v1, String k2, String v2) {
    String id = name + '|' + v1 + '|' + v2;
    return counters.computeIfAbsent(id, ignored -> {
      Counter.Builder builder = Counter.builder(name).description(DESCRIPTIONS.get(name));
      if (k1 != null) {
        builder.tag(k1, v1);
      }
      if (k2 != null) {
        builder.tag(k2, v2);
      }
      return builder.register(registry);
    });
  }
}

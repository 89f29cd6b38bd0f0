package io.llmtrace.gateway.http;

import io.llmtrace.gateway.auth.ApiKeys;
import io.llmtrace.gateway.auth.RateLimiter;
import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.Principal;
import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.gateway.intake.SpanDecoder;
import io.llmtrace.gateway.intake.Tenancy;
import io.llmtrace.gateway.metrics.GatewayMetrics;
import io.llmtrace.gateway.publish.KafkaPublisher;
import io.llmtrace.gateway.publish.Topic;
import io.llmtrace.schemas.avro.LlmSpan;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/spans} and {@code POST /v1/traces}: authenticate, read the body within its limit,
 * decode, rate-limit, stamp the tenant, publish, and answer only once Kafka acknowledged every
 * accepted span (2xx), or say precisely why not. Shared by all event loops; holds no request state.
 *
 * <pre>
 * 401 no/unknown key      403 environment not allowed      413 body too large     415 content type
 * 400 unusable body, or every span rejected                429 rate limit (Retry-After)
 * 503 Kafka/registry unavailable or too slow (Retry-After)  200 all accepted     207 some rejected
 * </pre>
 */
final class IntakeHandler {

  private static final Logger LOG = LoggerFactory.getLogger(IntakeHandler.class);

  private final ApiKeys keys;
  private final RateLimiter rateLimiter;
  private final int defaultSpansPerSecond;
  private final long maxBodyBytes;
  private final Map<Protocol, SpanDecoder> decoders;
  private final KafkaPublisher publisher;
  private final Topic<LlmSpan> spans;
  private final GatewayMetrics metrics;

  IntakeHandler(ApiKeys keys, RateLimiter rateLimiter, int defaultSpansPerSecond, long maxBodyBytes,
      Map<Protocol, SpanDecoder> decoders, KafkaPublisher publisher, Topic<LlmSpan> spans, GatewayMetrics metrics) {
    this.keys = keys;
    this.rateLimiter = rateLimiter;
    this.defaultSpansPerSecond = defaultSpansPerSecond;
    this.maxBodyBytes = maxBodyBytes;
    this.decoders = decoders;
    this.publisher = publisher;
    this.spans = spans;
    this.metrics = metrics;
  }

  void handle(HttpServerRequest request, String endpoint, boolean otlp) {
    Exchange exchange = new Exchange(request, endpoint, otlp ? Protocol.OTLP_PROTOBUF : Protocol.NATIVE, metrics);
    Optional<ApiKeys.Entry> key = Credentials.authenticate(keys, exchange);
    if (key.isEmpty()) {
      return;
    }
    Protocol protocol = otlp ? otlpProtocol(request.getHeader("Content-Type")) : Protocol.NATIVE;
    exchange.protocol = protocol == null ? Protocol.OTLP_PROTOBUF : protocol;
    if (protocol == null) {
      exchange.fail(415, "unsupported_media_type", "OTLP/HTTP takes application/x-protobuf or application/json, got '"
          + request.getHeader("Content-Type") + "'");
      return;
    }
    long length = BodyReader.declaredLength(request);
    if (length > maxBodyBytes) {
      exchange.fail(413, "body_too_large", "the body has " + length + " bytes; the limit is " + maxBodyBytes);
      return;
    }
    new BodyReader(request, maxBodyBytes, body -> onBody(exchange, key.get(), body),
        tooLarge -> exchange.fail(413, "body_too_large", "the body exceeds " + maxBodyBytes + " bytes (after decompression)"),
        error -> exchange.fail(400, "unreadable_body", "the body could not be read: " + error.getMessage()));
  }

  private void onBody(Exchange exchange, ApiKeys.Entry key, Buffer body) {
    metrics.requestBytes(body.length());
    DecodedBatch batch;
    try {
      batch = decoders.get(exchange.protocol).decode(body.getBytes());
    } catch (InvalidRequestException e) {
      LOG.debug("invalid request from key {}: {}", key.principal().keyId(), e.code());
      exchange.fail(e.status(), e.code(), e.getMessage());
      return;
    } catch (RuntimeException e) {
      // A decoder bug must cost one request, never the process; the message is generic on purpose.
      LOG.warn("decoder failed on a request from key {}", key.principal().keyId(), e);
      exchange.fail(400, "undecodable", "the request could not be decoded: " + e.getClass().getSimpleName());
      return;
    }
    List<Rejection> rejected = batch.rejected();
    if (!rejected.isEmpty()) {
      metrics.rejected(exchange.protocol.metricName, "invalid_span", rejected.size());
    }
    if (batch.accepted().isEmpty()) {
      exchange.fail(400, batch.total() == 0 ? "empty_batch" : "all_rejected",
          batch.total() == 0 ? "the request holds no spans" : Responses.summary(rejected), rejected);
      return;
    }
    Principal principal = key.principal();
    int rate = key.spansPerSecond() > 0 ? key.spansPerSecond() : defaultSpansPerSecond;
    RateLimiter.Decision decision = rateLimiter.tryAcquire(principal.keyId(), rate, batch.accepted().size());
    if (!decision.allowed()) {
      metrics.rejected(exchange.protocol.metricName, "rate_limited", batch.accepted().size());
      exchange.request.response().putHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
      exchange.fail(429, "rate_limited", "key " + principal.keyId() + " is limited to " + rate + " spans/s; retry after "
          + decision.retryAfterSeconds() + " s");
      return;
    }
    try {
      Tenancy.apply(principal, batch.accepted());
    } catch (InvalidRequestException e) {
      exchange.fail(e.status(), e.code(), e.getMessage());
      return;
    }
    publish(exchange, batch);
  }

  private void publish(Exchange exchange, DecodedBatch batch) {
    Timer.Sample sample = Timer.start();
    int count = batch.accepted().size();
    try {
      publisher.publish(spans, batch.accepted()).whenComplete((ok, error) -> exchange.context.runOnContext(v -> {
        sample.stop(metrics.produce());
        if (error != null) {
          LOG.debug("publishing {} spans failed: {}", count, error.toString());
          unavailable(exchange, count, "Kafka did not acknowledge the spans: " + Exchange.rootMessage(error));
        } else {
          metrics.accepted(exchange.protocol.metricName, count);
          exchange.succeed(count, batch.rejected());
        }
      }));
    } catch (KafkaPublisher.Unavailable e) {
      unavailable(exchange, count, e.getMessage());
    }
  }

  private void unavailable(Exchange exchange, int count, String message) {
    metrics.rejected(exchange.protocol.metricName, "unavailable", count);
    exchange.unavailable(message);
  }

  private static Protocol otlpProtocol(String contentType) {
    if (contentType == null) {
      return null;
    }
    String type = contentType.toLowerCase(java.util.Locale.ROOT);
    if (type.startsWith("application/x-protobuf") || type.startsWith("application/protobuf")) {
      return Protocol.OTLP_PROTOBUF;
    }
    return type.startsWith("application/json") ? Protocol.OTLP_JSON : null;
  }
}

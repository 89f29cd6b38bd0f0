package io.llmtrace.gateway.http;

import io.llmtrace.gateway.auth.ApiKeys;
import io.llmtrace.gateway.auth.RateLimiter;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.Outcome;
import io.llmtrace.gateway.intake.Principal;
import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.gateway.metrics.GatewayMetrics;
import io.llmtrace.gateway.publish.KafkaPublisher;
import io.llmtrace.gateway.publish.Topic;
import io.llmtrace.gateway.release.ReleaseIntake;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/releases}: one release marker as JSON, with the span endpoints' key, limits and
 * error shape, published to the releases topic and answered only once Kafka acknowledged it.
 *
 * <pre>
 * 202 {"release_id": "...", "released_at": "..."}: durable in Kafka
 * 400 invalid_release (the field in "rejected"), or the span intake's body codes (invalid_json, ...)
 * 401 no/unknown key      403 environment not allowed      413 body too large
 * 429 rate limit (Retry-After; a marker takes one of the key's spans/s)
 * 503 Kafka/registry unavailable or too slow (Retry-After)
 * </pre>
 */
final class ReleaseHandler {

  static final String ENDPOINT = "/v1/releases";
  private static final Logger LOG = LoggerFactory.getLogger(ReleaseHandler.class);

  private final ApiKeys keys;
  private final RateLimiter rateLimiter;
  private final int defaultSpansPerSecond;
  private final ReleaseIntake intake;
  private final KafkaPublisher publisher;
  private final Topic<ReleaseMarker> releases;
  private final GatewayMetrics metrics;

  ReleaseHandler(ApiKeys keys, RateLimiter rateLimiter, int defaultSpansPerSecond, ReleaseIntake intake,
      KafkaPublisher publisher, Topic<ReleaseMarker> releases, GatewayMetrics metrics) {
    this.keys = keys;
    this.rateLimiter = rateLimiter;
    this.defaultSpansPerSecond = defaultSpansPerSecond;
    this.intake = intake;
    this.publisher = publisher;
    this.releases = releases;
    this.metrics = metrics;
  }

  void handle(HttpServerRequest request) {
    Exchange exchange = new Exchange(request, ENDPOINT, Protocol.NATIVE, metrics);
    Optional<ApiKeys.Entry> key = Credentials.authenticate(keys, exchange);
    if (key.isEmpty()) {
      return;
    }
    long length = BodyReader.declaredLength(request);
    if (length > ReleaseIntake.MAX_BODY_BYTES) {
      reject(exchange, "invalid", 413, "body_too_large", "the body has " + length + " bytes; the limit for a release is "
          + ReleaseIntake.MAX_BODY_BYTES);
      return;
    }
    new BodyReader(request, ReleaseIntake.MAX_BODY_BYTES, body -> onBody(exchange, key.get(), body),
        tooLarge -> reject(exchange, "invalid", 413, "body_too_large",
            "the body exceeds " + ReleaseIntake.MAX_BODY_BYTES + " bytes (after decompression)"),
        error -> reject(exchange, "invalid", 400, "unreadable_body", "the body could not be read: " + error.getMessage()));
  }

  private void onBody(Exchange exchange, ApiKeys.Entry key, Buffer body) {
    metrics.requestBytes(body.length());
    Principal principal = key.principal();
    Outcome<ReleaseMarker> outcome;
    try {
      outcome = intake.admit(body.getBytes(), principal);
    } catch (InvalidRequestException e) {
      LOG.debug("invalid release from key {}: {}", principal.keyId(), e.code());
      reject(exchange, e.status() == 403 ? e.code() : "invalid", e.status(), e.code(), e.getMessage());
      return;
    } catch (RuntimeException e) {
      // As for spans: a decoder bug costs one request, never the process.
      LOG.warn("release decoding failed on a request from key {}", principal.keyId(), e);
      reject(exchange, "invalid", 400, "undecodable", "the request could not be decoded: " + e.getClass().getSimpleName());
      return;
    }
    if (outcome instanceof Outcome.Rejected<ReleaseMarker> rejected) {
      Rejection rejection = rejected.rejection();
      LOG.debug("invalid release from key {} at {}", principal.keyId(), rejection.path());
      metrics.releaseRejected("invalid");
      exchange.fail(400, "invalid_release", rejection.path() + ": " + rejection.reason(), List.of(rejection));
      return;
    }
    ReleaseMarker marker = ((Outcome.Accepted<ReleaseMarker>) outcome).value();
    int rate = key.spansPerSecond() > 0 ? key.spansPerSecond() : defaultSpansPerSecond;
    RateLimiter.Decision decision = rateLimiter.tryAcquire(principal.keyId(), rate, 1);
    if (!decision.allowed()) {
      exchange.request.response().putHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
      reject(exchange, "rate_limited", 429, "rate_limited", "key " + principal.keyId() + " is limited to " + rate
          + " spans/s (a release counts as one); retry after " + decision.retryAfterSeconds() + " s");
      return;
    }
    publish(exchange, marker);
  }

  private void publish(Exchange exchange, ReleaseMarker marker) {
    try {
      publisher.publish(releases, List.of(marker)).whenComplete((ok, error) -> exchange.context.runOnContext(v -> {
        if (error != null) {
          LOG.debug("publishing release {} failed: {}", marker.getReleaseId(), error.toString());
          unavailable(exchange, "Kafka did not acknowledge the release: " + Exchange.rootMessage(error));
        } else {
          metrics.releaseAccepted();
          exchange.send(202, Responses.releaseAccepted(marker.getReleaseId(), marker.getReleasedAt()));
        }
      }));
    } catch (KafkaPublisher.Unavailable e) {
      unavailable(exchange, e.getMessage());
    }
  }

  private void unavailable(Exchange exchange, String message) {
    metrics.releaseRejected("unavailable");
    exchange.unavailable(message);
  }

  private void reject(Exchange exchange, String reason, int status, String code, String message) {
    metrics.releaseRejected(reason);
    exchange.fail(status, code, message);
  }
}

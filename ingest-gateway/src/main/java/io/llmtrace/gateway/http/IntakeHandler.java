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
import io.llmtrace.gateway.publish.SpanPublisher;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
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
  private static final String RETRY_AFTER_SECONDS = "5";

  private final ApiKeys keys;
  private final RateLimiter rateLimiter;
  private final int defaultSpansPerSecond;
  private final long maxBodyBytes;
  private final Map<Protocol, SpanDecoder> decoders;
  private final SpanPublisher publisher;
  private final GatewayMetrics metrics;

  IntakeHandler(ApiKeys keys, RateLimiter rateLimiter, int defaultSpansPerSecond, long maxBodyBytes,
      Map<Protocol, SpanDecoder> decoders, SpanPublisher publisher, GatewayMetrics metrics) {
    this.keys = keys;
    this.rateLimiter = rateLimiter;
    this.defaultSpansPerSecond = defaultSpansPerSecond;
    this.maxBodyBytes = maxBodyBytes;
    this.decoders = decoders;
    this.publisher = publisher;
    this.metrics = metrics;
  }

  void handle(HttpServerRequest request, String endpoint, boolean otlp) {
    Exchange exchange = new Exchange(request, endpoint, otlp ? Protocol.OTLP_PROTOBUF : Protocol.NATIVE);
    Optional<ApiKeys.Entry> key = authenticate(request);
    if (key.isEmpty()) {
      boolean presented = presentedKey(request) != null;
      exchange.fail(401, presented ? "unknown_api_key" : "missing_api_key",
          presented ? "the API key is not valid" : "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
      return;
    }
    Protocol protocol = otlp ? otlpProtocol(request.getHeader("Content-Type")) : Protocol.NATIVE;
    exchange.protocol = protocol == null ? Protocol.OTLP_PROTOBUF : protocol;
    if (protocol == null) {
      exchange.fail(415, "unsupported_media_type", "OTLP/HTTP takes application/x-protobuf or application/json, got '"
          + request.getHeader("Content-Type") + "'");
      return;
    }
    String length = request.getHeader("Content-Length");
    if (length != null && parseLong(length) > maxBodyBytes) {
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
      publisher.publish(batch.accepted()).whenComplete((ok, error) -> exchange.context.runOnContext(v -> {
        sample.stop(metrics.produce());
        if (error != null) {
          LOG.debug("publishing {} spans failed: {}", count, error.toString());
          unavailable(exchange, count, "Kafka did not acknowledge the spans: " + rootMessage(error));
        } else {
          metrics.accepted(exchange.protocol.metricName, count);
          exchange.succeed(count, batch.rejected());
        }
      }));
    } catch (SpanPublisher.Unavailable e) {
      unavailable(exchange, count, e.getMessage());
    }
  }

  private void unavailable(Exchange exchange, int spans, String message) {
    metrics.rejected(exchange.protocol.metricName, "unavailable", spans);
    exchange.request.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    exchange.fail(503, "unavailable", message + "; nothing of this request is guaranteed stored, retry it");
  }

  private Optional<ApiKeys.Entry> authenticate(HttpServerRequest request) {
    String presented = presentedKey(request);
    return presented == null ? Optional.empty() : keys.lookup(presented);
  }

  private static String presentedKey(HttpServerRequest request) {
    String authorization = request.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String key = authorization.substring(7).strip();
      return key.isEmpty() ? null : key;
    }
    String key = request.getHeader("X-API-Key");
    return key == null || key.isBlank() ? null : key.strip();
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

  private static long parseLong(String value) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  /** One request in flight: where to answer and in which protocol. */
  private final class Exchange {
    final HttpServerRequest request;
    final String endpoint;
    final Context context;
    Protocol protocol;

    Exchange(HttpServerRequest request, String endpoint, Protocol protocol) {
      this.request = request;
      this.endpoint = endpoint;
      this.protocol = protocol;
      this.context = Vertx.currentContext();
    }

    void succeed(int accepted, List<Rejection> rejected) {
      int status = rejected.isEmpty() || protocol.isOtlp() ? 200 : 207;
      byte[] body = protocol.isOtlp() ? Responses.otlpSuccess(protocol, rejected) : Responses.nativeSuccess(accepted, rejected);
      send(status, body);
    }

    void fail(int status, String code, String message) {
      fail(status, code, message, List.of());
    }

    void fail(int status, String code, String message, List<Rejection> rejected) {
      byte[] body = protocol.isOtlp()
          ? Responses.otlpStatus(protocol, Responses.grpcCode(status), code, message)
          : Responses.nativeError(code, message, rejected);
      if (!request.isEnded()) {
        // Answered before the body was read: close rather than drain a body we refused.
        request.response().putHeader("Connection", "close");
      }
      send(status, body);
    }

    private void send(int status, byte[] body) {
      metrics.request(endpoint, status);
      HttpServerResponse response = request.response();
      if (response.ended() || response.closed()) {
        return;
      }
      response.setStatusCode(status).putHeader("Content-Type", protocol.contentType).end(Buffer.buffer(body));
    }
  }
}
